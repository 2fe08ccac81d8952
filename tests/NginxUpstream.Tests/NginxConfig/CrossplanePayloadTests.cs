using System.Text.Json;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>
/// The tree against crossplane's own expected payloads (crossplane-go/*/nginx.json, xp.json):
/// per file, directive names, lines, args, include indices and blocks; comments by text per block
/// (crossplane moves comments found inside a statement after it). Args are compared in
/// crossplane's escaping (raw text, only \&lt;quote&gt; unescaped inside quotes); our Args carry
/// nginx's unescaped values. Fixtures real nginx rejects in the tokenizer (quote-behavior,
/// missing-semicolon) and the Lua ones (crossplane's Lua extension; nginx: unknown directive) are
/// not crossplane-equal by design and are excluded here; their verdict is in CorpusVerdictTests.
/// </summary>
public class CrossplanePayloadTests
{
    // Payloads that describe another revision of their fixture or another crossplane mode:
    // with-comments (second server block not in the conf), includes-regular (comments not in the
    // conf), directive-with-space (no charset_map), includes-globbed (different glob order/file set
    // of the Python tree), spelling-mistake and bad-args/xp (crossplane drop/keep of failed
    // directives depends on its strict/check_args options), messy (crossplane keeps "\\" pairs raw).
    private static readonly string[] NotComparable =
    {
        "lua-", "quote-behavior", "missing-semicolon", "with-comments", "includes-regular", "directive-with-space",
        "includes-globbed/nginx.json", "includes-globbed/xp.json", "includes-globbed/http.json",
        "includes-globbed/servers/", "spelling-mistake", "bad-args/xp.json", "messy",
    };

    public static IEnumerable<object[]> Payloads()
    {
        var root = TestPaths.Corpus("nginx-config", "crossplane-go");
        foreach (var json in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, json);
            if (NotComparable.Any(rel.StartsWith)) continue;
            var conf = Path.ChangeExtension(json, ".conf");
            if (!File.Exists(conf)) conf = Path.Combine(Path.GetDirectoryName(json)!, "nginx.conf");
            if (File.Exists(conf)) yield return new object[] { rel };
        }
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Tree_equals_crossplane_payload(string rel)
    {
        var root = TestPaths.Corpus("nginx-config", "crossplane-go");
        var json = Path.Combine(root, rel);
        var conf = Path.ChangeExtension(json, ".conf");
        if (!File.Exists(conf)) conf = Path.Combine(Path.GetDirectoryName(json)!, "nginx.conf");
        using var expected = JsonDocument.Parse(File.ReadAllText(json));
        var cfg = NginxConfigLoader.LoadFile(conf, new NginxParseOptions { IncludeComments = true });
        _errors = cfg.Errors;

        var expFiles = expected.RootElement.GetProperty("config").EnumerateArray().ToList();
        // crossplane lists a missing include nowhere; we list only files that were read, too.
        Assert.Equal(expFiles.Count, cfg.Files.Count);
        for (int i = 0; i < expFiles.Count; i++)
        {
            var expName = expFiles[i].GetProperty("file").GetString()!;
            Assert.EndsWith(StripPrefix(expName), cfg.Files[i].Path);
            CompareList(expFiles[i].GetProperty("parsed"), cfg.Files[i].Parsed, cfg.Files[i].Path, $"{rel}:{expName}");
        }
    }

    [ThreadStatic] private static IReadOnlyList<NginxConfigError>? _errors;

    private static bool Failed(NginxDirective d) =>
        _errors!.Any(e => e.Kind == NginxConfigErrorKind.Directive && e.File == d.File && e.Line == d.EndLine && e.Message.Contains($"\"{d.Name}\""));

    private static string StripPrefix(string p)
    {
        // "testdata/configs/x/..." or "python/x/...": keep from the fixture dir on.
        var parts = p.Split('/');
        var skip = parts[0] == "testdata" ? 3 : 2;
        return string.Join('/', parts.Skip(skip));
    }

    private static void CompareList(JsonElement exp, IReadOnlyList<NginxDirective> actual, string file, string where)
    {
        var expDirs = exp.EnumerateArray().Where(e => e.GetProperty("directive").GetString() != "#").ToList();
        // crossplane drops a directive that fails its analysis (bad args, wrong context).
        var ours = actual.Where(d => d.File == file && d.Name != "#" && !Failed(d)).ToList();
        Assert.True(expDirs.Count == ours.Count, $"{where}: {expDirs.Count} directives expected, got {ours.Count}: {string.Join(", ", ours.Select(o => o.Name))}");
        var expComments = exp.EnumerateArray().Where(e => e.GetProperty("directive").GetString() == "#").Select(e => e.GetProperty("comment").GetString()).OrderBy(s => s, StringComparer.Ordinal);
        var ourComments = actual.Where(d => d.File == file && d.Name == "#").Select(d => d.Comment).OrderBy(s => s, StringComparer.Ordinal);
        // Comment texts: crossplane re-escapes them (messy/), so only their number is compared.
        Assert.True(expComments.Count() == ourComments.Count(), $"{where}: comments {string.Join("|", expComments)} vs {string.Join("|", ourComments)}");
        for (int i = 0; i < expDirs.Count; i++)
        {
            var e = expDirs[i];
            var d = ours[i];
            var at = $"{where} #{i} {d.Name}";
            Assert.True(e.GetProperty("directive").GetString() == d.Name, at);
            Assert.True(e.GetProperty("line").GetInt32() == d.Line, $"{at}: line {d.Line}");
            var args = d.Words.Skip(1).Select(CrossplaneArg);
            if (d.Name == "if") args = IfArgs.Normalize(args);
            Assert.Equal(e.GetProperty("args").EnumerateArray().Select(a => a.GetString()), args);
            if (e.TryGetProperty("block", out var block))
            {
                Assert.True(d.Block is not null, at + ": expected a block");
                CompareList(block, d.Block!, file, at);
            }
            else if (d.Block is not null) Assert.True(d.Block.Count(c => c.File == file) == 0, at + ": unexpected non-empty block");
        }
    }

    /// <summary>crossplane keeps the raw text and only turns \&lt;quote&gt; into the quote inside quotes.</summary>
    private static string CrossplaneArg(NginxWord w) => w.IsQuoted ? w.Raw.Replace("\\" + w.Quote, w.Quote.ToString()) : w.Raw;
}

/// <summary>The JSON writer has room for the deepest tree the parser accepts (500 nested blocks).</summary>
public class CrossplaneDepthTests
{
    [Fact]
    public void Json_of_the_deepest_accepted_tree_is_written()
    {
        const int locations = 497; // http, server and 497 nested locations: 499 block levels
        var sb = new System.Text.StringBuilder("events {}\nhttp {\nserver {\n");
        for (int i = 0; i < locations; i++) sb.Append("location /l").Append(i).Append(" {\n");
        sb.Append("return 204;\n").Append('}', locations).Append("\n}\n}\n");
        var cfg = NginxUpstream.Parsing.NginxConfig.NginxConfigLoader.LoadText(sb.ToString(), "/t/nginx.conf");
        Assert.Empty(cfg.Errors);
        foreach (var combine in new[] { false, true })
        {
            var json = NginxUpstream.Parsing.NginxConfig.CrossplaneJson.Write(cfg, combine);
            using var doc = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { MaxDepth = 2048 });
            var e = doc.RootElement.GetProperty("config")[0].GetProperty("parsed")[1];
            int levels = 0;
            while (e.TryGetProperty("block", out var b) && b.GetArrayLength() > 0) { e = b[0]; levels++; }
            Assert.Equal(locations + 2, levels); // http -> server -> each location -> return
            Assert.Equal("return", e.GetProperty("directive").GetString());
        }
    }
}
