using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NginxUpstream.Yaml;

/// <summary>
/// YAML in and out over plain BCL trees: IDictionary&lt;string, object?&gt; for mappings, IEnumerable
/// for sequences, and scalars (string, bool, numbers, DateTimeOffset, null). Keeping YamlDotNet
/// types out of the API is what lets this assembly and YamlDotNet live in the module's private
/// load context.
/// </summary>
public static class YamlText
{
    /// <summary>Emits <paramref name="tree"/> as one block-style YAML document. Strings are always quoted.</summary>
    public static string Serialize(object? tree)
    {
        var sw = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(sw, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Write(emitter, tree);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return sw.ToString();
    }

    private static void Write(IEmitter e, object? v)
    {
        switch (v)
        {
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case string s:
                e.Emit(new Scalar(null, null, s, ScalarStyle.DoubleQuoted, false, true));
                break;
            case bool b:
                e.Emit(new Scalar(null, null, b ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            case DateTimeOffset d:
                e.Emit(new Scalar(null, null, d.ToString("O", CultureInfo.InvariantCulture), ScalarStyle.DoubleQuoted, false, true));
                break;
            case DateTime d:
                e.Emit(new Scalar(null, null, d.ToString("O", CultureInfo.InvariantCulture), ScalarStyle.DoubleQuoted, false, true));
                break;
            case Enum en:
                e.Emit(new Scalar(null, null, en.ToString(), ScalarStyle.DoubleQuoted, false, true));
                break;
            case byte or sbyte or short or ushort or int or uint or long or ulong:
                e.Emit(new Scalar(null, null, System.Convert.ToString(v, CultureInfo.InvariantCulture)!, ScalarStyle.Plain, true, false));
                break;
            case float or double or decimal:
                e.Emit(new Scalar(null, null, System.Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
                break;
            case IDictionary<string, object?> map:
                e.Emit(new MappingStart(null, null, false, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (k, val) in map)
                {
                    e.Emit(new Scalar(null, null, k, ScalarStyle.Plain, true, false));
                    Write(e, val);
                }
                e.Emit(new MappingEnd());
                break;
            case System.Collections.IEnumerable seq:
                var items = seq.Cast<object?>().ToList();
                e.Emit(new SequenceStart(null, null, false, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in items) Write(e, item);
                e.Emit(new SequenceEnd());
                break;
            default:
                e.Emit(new Scalar(null, null, System.Convert.ToString(v, CultureInfo.InvariantCulture) ?? "", ScalarStyle.DoubleQuoted, false, true));
                break;
        }
    }

    /// <summary>
    /// Parses the first document of <paramref name="yaml"/> into Dictionary / List / scalars.
    /// Quoted scalars stay strings; plain ones become null, bool, long, double or string.
    /// Tags are ignored: no arbitrary types are ever constructed. Throws
    /// <see cref="FormatException"/> with line and column on malformed YAML.
    /// </summary>
    public static object? Deserialize(string yaml)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException ex)
        {
            throw new FormatException($"Invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }
        return stream.Documents.Count == 0 ? null : ToTree(stream.Documents[0].RootNode);
    }

    private static object? ToTree(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ToTree(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Select(ToTree).ToList(),
        YamlScalarNode sc => ScalarValue(sc),
        _ => null,
    };

    private static object? ScalarValue(YamlScalarNode sc)
    {
        var v = sc.Value;
        if (sc.Style is ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted or ScalarStyle.Literal or ScalarStyle.Folded) return v;
        if (v is null || v is "null" or "~" or "") return null;
        if (v is "true") return true;
        if (v is "false") return false;
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return v;
    }
}
