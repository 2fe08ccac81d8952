using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// Writes a parsed config in crossplane's payload shape:
/// {status, errors:[{file,line,error}], config:[{file,status,errors:[{line,error}],parsed:[{directive,line,args,includes?,block?,comment?}]}]}.
/// With <c>combine</c>, one config entry whose tree has includes inlined and a "file" on each directive.
/// </summary>
public static class CrossplaneJson
{
    /// <summary>Each block level is two JSON levels (the directive object, its "block" array): room for the parser's deepest tree.</summary>
    public const int JsonDepth = 2 * 500 + 16;

    public static string Write(Model.NginxConfig cfg, bool combine = false, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = JsonDepth }))
        {
            var index = cfg.Files.Select((f, i) => (f.Path, i)).ToDictionary(x => x.Path, x => x.i, StringComparer.Ordinal);
            w.WriteStartObject();
            w.WriteString("status", cfg.IsValid ? "ok" : "failed");
            w.WriteStartArray("errors");
            foreach (var e in cfg.Errors)
            {
                w.WriteStartObject();
                if (e.File is not null) w.WriteString("file", e.File);
                w.WriteString("error", e.ToString());
                if (e.File is not null) w.WriteNumber("line", e.Line);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("config");
            if (combine)
            {
                w.WriteStartObject();
                w.WriteString("file", cfg.MainFile);
                w.WriteString("status", cfg.IsValid ? "ok" : "failed");
                WriteFileErrors(w, cfg.Errors);
                w.WriteStartArray("parsed");
                foreach (var d in cfg.Directives) WriteDirective(w, d, null, index, combine: true);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else
            {
                foreach (var f in cfg.Files)
                {
                    w.WriteStartObject();
                    w.WriteString("file", f.Path);
                    w.WriteString("status", f.Status);
                    WriteFileErrors(w, f.Errors);
                    w.WriteStartArray("parsed");
                    foreach (var d in f.Parsed) WriteDirective(w, d, f.Path, index, combine: false);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteFileErrors(Utf8JsonWriter w, IEnumerable<NginxConfigError> errors)
    {
        w.WriteStartArray("errors");
        foreach (var e in errors)
        {
            w.WriteStartObject();
            w.WriteString("error", e.ToString());
            w.WriteNumber("line", e.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteDirective(Utf8JsonWriter w, NginxDirective d, string? file, Dictionary<string, int> index, bool combine)
    {
        w.WriteStartObject();
        w.WriteString("directive", d.Name);
        if (combine) w.WriteString("file", d.File);
        w.WriteNumber("line", d.Line);
        w.WriteStartArray("args");
        foreach (var a in d.Args) w.WriteStringValue(a);
        w.WriteEndArray();
        if (d.Name == "include" && !combine)
        {
            w.WriteStartArray("includes");
            foreach (var p in d.Includes) if (index.TryGetValue(p, out var i)) w.WriteNumberValue(i);
            w.WriteEndArray();
        }
        if (d.Comment is not null) w.WriteString("comment", d.Comment);
        if (d.Block is not null)
        {
            w.WriteStartArray("block");
            // A block never spans files: in the per-file view, children from includes belong to their own file.
            foreach (var c in d.Block)
                if (combine || c.File == (file ?? d.File)) WriteDirective(w, c, file, index, combine);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
