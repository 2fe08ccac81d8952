using System.Collections;
using System.Reflection;
using NginxUpstream.Yaml;

namespace NginxUpstream.Export;

/// <summary>
/// The findings YAML document (docs/findings-schema.md): <c>schemaVersion: 1</c>, the generator,
/// the time it was written, and <c>findings</c>, a sequence of typed findings.
/// </summary>
public static class FindingDocument
{
    /// <summary>The schema this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>"NginxUpstream 0.1.0".</summary>
    public static string Generator { get; } =
        "NginxUpstream " + (typeof(FindingDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>The document as a BCL tree (what <see cref="Serialize"/> writes).</summary>
    public static IDictionary<string, object?> ToTree(IEnumerable<object> findings, DateTimeOffset? generatedAt = null) =>
        new FindingMapper.OrderedMap
        {
            ["schemaVersion"] = SchemaVersion,
            ["generator"] = Generator,
            ["generatedAt"] = (generatedAt ?? DateTimeOffset.UtcNow).ToUniversalTime(),
            ["findings"] = findings.Select(f => (object?)FindingMapper.ToTree(f)).ToList(),
        };

    /// <summary>YAML text of the findings. Throws ArgumentException for an object outside the closed set.</summary>
    public static string Serialize(IEnumerable<object> findings, DateTimeOffset? generatedAt = null) =>
        YamlText.Serialize(ToTree(findings, generatedAt));

    /// <summary>
    /// Reads a findings document. A document-level problem (not YAML, no or a newer schemaVersion,
    /// no findings sequence) throws <see cref="FindingFormatException"/>; a bad finding is reported
    /// in <see cref="ReadResult.Problems"/> and the others are still returned.
    /// </summary>
    public static ReadResult Deserialize(string yaml)
    {
        object? tree;
        try { tree = YamlText.Deserialize(yaml); }
        catch (FormatException e) { throw new FindingFormatException("document", e.Message); }
        if (tree is not IDictionary<string, object?> doc)
            throw new FindingFormatException("document", "expected a mapping with schemaVersion and findings");
        if (!doc.TryGetValue("schemaVersion", out var sv) || sv is null)
            throw new FindingFormatException("schemaVersion", "missing; this is not an NginxUpstream findings document");
        var version = sv switch
        {
            long l => l,
            string s when long.TryParse(s, out var p) => p,
            _ => throw new FindingFormatException("schemaVersion", $"'{sv}' is not a number"),
        };
        if (version < 1 || version > SchemaVersion)
            throw new FindingFormatException("schemaVersion",
                $"version {version} is not supported (this module reads version {SchemaVersion}); update NginxUpstream");
        var result = new ReadResult();
        if (!doc.TryGetValue("findings", out var fs) || fs is null) return result;
        if (fs is not IList list) throw new FindingFormatException("findings", "expected a sequence");
        for (var i = 0; i < list.Count; i++)
        {
            try { result.Findings.Add(FindingMapper.FromTree(list[i], $"findings[{i}]")); }
            catch (FindingFormatException e) { result.Problems.Add(e); }
        }
        return result;
    }

    /// <summary>What <see cref="Deserialize"/> found: the findings read, and the ones it could not read.</summary>
    public sealed class ReadResult
    {
        public List<object> Findings { get; } = new();
        public List<FindingFormatException> Problems { get; } = new();
    }
}
