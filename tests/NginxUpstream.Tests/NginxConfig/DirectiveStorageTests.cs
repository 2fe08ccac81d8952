using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>
/// The compact storage of parsed directives (words rebuilt from Name + Args, one-line words and
/// Args arrays shared by identical statements, server labels found while reading, pooled read
/// buffers) must give back exactly what the source says.
/// </summary>
public class DirectiveStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ngxstore").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string rel, string text)
    {
        var p = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    private static Model.NginxConfig Text(string text) =>
        NginxConfigLoader.LoadText(text, "/t/nginx.conf", new NginxParseOptions { Validate = false });

    private static string Show(NginxWord w) => $"{w.Value}|{w.Raw}|{(w.Quote == '\0' ? "-" : w.Quote.ToString())}|{w.Line}";

    [Fact]
    public void Words_of_plain_quoted_escaped_and_multi_line_statements_keep_value_raw_quote_and_line()
    {
        var cfg = Text("a b c;\nx \"\" 'q' y;\nx \"\" 'q' y;\nz \"a\\\"b\" c\\td;\nm\n  n\n  \"o\";\n");
        var d = cfg.Directives;
        Assert.Equal(new[] { "a|a|-|1", "b|b|-|1", "c|c|-|1" }, d[0].Words.Select(Show));
        Assert.Equal(new[] { "x|x|-|2", "||\"|2", "q|q|'|2", "y|y|-|2" }, d[1].Words.Select(Show));
        // The same statement again: same words, its own line.
        Assert.Equal(new[] { "x|x|-|3", "||\"|3", "q|q|'|3", "y|y|-|3" }, d[2].Words.Select(Show));
        Assert.Equal(new[] { "z|z|-|4", "a\"b|a\\\"b|\"|4", "c\td|c\\td|-|4" }, d[3].Words.Select(Show));
        Assert.Equal(new[] { "a\"b", "c\td" }, d[3].Args);
        Assert.Equal(new[] { "m|m|-|5", "n|n|-|6", "o|o|\"|7" }, d[4].Words.Select(Show));
        Assert.Equal((5, 7), (d[4].Line, d[4].EndLine));
    }

    [Fact]
    public void If_keeps_its_raw_words_and_normalised_args()
    {
        var d = Text("http { server { if ($a = b) { return 404; } } }").Descendants().Single(x => x.Name == "if");
        Assert.Equal(new[] { "$a", "=", "b" }, d.Args);
        Assert.Equal(new[] { "if", "($a", "=", "b)" }, d.Words.Select(w => w.Value));
        Assert.Equal("http > server > if ($a = b)", d.Block![0].Context);
    }

    [Fact]
    public void Identical_statements_share_args_but_differing_ones_do_not()
    {
        var cfg = Text("p a b;\np a b;\np a c;\nq a b;\n");
        var d = cfg.Directives;
        Assert.Same(d[0].Args, d[1].Args);
        Assert.Equal(new[] { "a", "c" }, d[2].Args);
        Assert.Equal("q", d[3].Name);
        Assert.Equal(new[] { "a", "b" }, d[3].Args);
    }

    [Fact]
    public void Server_label_comes_from_its_own_or_a_directly_included_server_name_not_a_deeper_one()
    {
        var main = Write("nginx.conf", "events {}\nhttp {\n"
            + "  server { include direct.conf; listen 80; location / { return 200; } }\n"
            + "  server { include deep.conf; listen 81; location / { return 200; } }\n"
            + "  server { listen 82; server_name own.example; location / { return 200; } }\n"
            + "  server { location / { server_name nested.example; } }\n"
            + "}\n");
        Write("direct.conf", "server_name direct.example;\n");
        Write("deep.conf", "include direct.conf;\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        var contexts = cfg.Descendants().Where(d => d.Name is "return" or "server_name" && d.Parent?.Name == "location").Select(d => d.Context).ToArray();
        Assert.Equal(new[]
        {
            "http > server direct.example > location /",
            "http > server 81 > location /",
            "http > server own.example > location /",
            "http > server > location /",
        }, contexts);
        // A directive read from an include stands in the including block.
        Assert.Equal("http > server direct.example", cfg.Descendants().First(d => d.File.EndsWith("direct.conf")).Context);
    }

    [Fact]
    public void Per_file_parsed_lists_hold_only_each_files_own_top_level_directives()
    {
        var main = Write("nginx.conf", "events {}\nhttp { include a.conf; }\n");
        Write("a.conf", "upstream u { server 127.0.0.1; }\ninclude b.conf;\nserver { listen 1; }\n");
        Write("b.conf", "map $a $b { default 1; }\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        Assert.Equal(new[] { "events", "http" }, cfg.Files[0].Parsed.Select(d => d.Name));
        Assert.Equal(new[] { "upstream", "include", "server" }, cfg.Files[1].Parsed.Select(d => d.Name));
        Assert.Equal(new[] { "map" }, cfg.Files[2].Parsed.Select(d => d.Name));
        Assert.Equal(new[] { "include", "upstream", "include", "map", "server" }, cfg.Directives[1].Block!.Select(d => d.Name));
    }

    [Fact]
    public void Disk_reads_reuse_a_buffer_and_read_files_of_any_size_or_no_stated_size()
    {
        var big = new StringBuilder();
        for (int i = 0; i < 5000; i++) big.Append("x").Append(i).Append(" \"v\\\"").Append(i % 7).Append("\";\n");
        var small = Write("small.conf", "a b;\n");
        var large = Write("large.conf", big.ToString());
        var buffer = Array.Empty<byte>();
        foreach (var p in new[] { small, large, small })
        {
            var n = DiskConfigSource.ReadInto(p, ref buffer);
            Assert.Equal(File.ReadAllBytes(p), buffer[..n]);
        }
        // /proc files report a length of 0 but have content.
        var proc = DiskConfigSource.ReadInto("/proc/self/status", ref buffer);
        Assert.StartsWith("Name:", Encoding.ASCII.GetString(buffer, 0, proc));

        var cfg = NginxConfigLoader.LoadFile(large, new NginxParseOptions { Validate = false, RequireEvents = false });
        Assert.Equal(5000, cfg.Directives.Count);
        Assert.Equal("v\"3", cfg.Directives[3].Args[0]);
        Assert.Equal(new[] { "x4999", "v\"1" }, new[] { cfg.Directives[4999].Name, cfg.Directives[4999].Args[0] });
    }

    [Fact]
    public void Disk_read_errors_keep_nginx_texts()
    {
        var buffer = Array.Empty<byte>();
        var e = Assert.Throws<FileNotFoundException>(() => DiskConfigSource.ReadInto(Path.Combine(_dir, "none.conf"), ref buffer));
        Assert.Equal($"open() \"{_dir}/none.conf\" failed (2: No such file or directory)", e.Message);
        var d = Assert.Throws<IOException>(() => DiskConfigSource.ReadInto(_dir, ref buffer));
        Assert.Equal($"pread() \"{_dir}\" failed (21: Is a directory)", d.Message);
    }

    [Fact]
    public void Args_shared_by_identical_statements_cannot_be_changed_through_one_directive()
    {
        var cfg = NginxConfigLoader.LoadText("events {}\nhttp {\n server { location /a { proxy_read_timeout 30s; } location /b { proxy_read_timeout 30s; } }\n}\n", "/t/nginx.conf");
        var both = cfg.Descendants().Where(d => d.Name == "proxy_read_timeout").ToList();
        Assert.Equal(2, both.Count);
        var list = Assert.IsAssignableFrom<System.Collections.IList>(both[0].Args);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list[0] = "1s");
        Assert.Equal("30s", both[1].Args[0]);
    }
}
