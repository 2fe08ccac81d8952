using System.Text;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

public class IncludeAndDumpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ngxinc").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string rel, string text)
    {
        var p = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Globs_are_byte_sorted_relative_to_the_main_config_dir_and_skip_dotfiles()
    {
        var main = Write("nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n");
        Write("conf.d/b.conf", "server { listen 81; }\n");
        Write("conf.d/B.conf", "server { listen 82; }\n");
        Write("conf.d/a.conf", "server { listen 80; }\n");
        Write("conf.d/.hidden.conf", "server { listen 83; }\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        var http = cfg.Directives.Single(d => d.Name == "http");
        Assert.Equal(new[] { "82", "80", "81" }, http.Block!.Where(d => d.Name == "server").Select(s => s.Block![0].Args[0]));
        Assert.EndsWith("conf.d/a.conf", http.Block!.First(d => d.Name == "server" && d.Block![0].Args[0] == "80").File);
        Assert.Equal("http > server 80", http.Block!.First(d => d.Name == "server" && d.Block![0].Args[0] == "80").Block![0].Context);
    }

    [Fact]
    public void Missing_explicit_include_is_an_error_at_the_include_line_but_an_empty_glob_is_not()
    {
        var main = Write("nginx.conf", "events {}\nhttp {\n  include nothing/*.conf;\n  include missing.conf;\n}\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        Assert.Single(cfg.Errors);
        Assert.Equal($"open() \"{_dir}/missing.conf\" failed (2: No such file or directory) in {main}:4", cfg.Errors[0].ToString());
    }

    [Fact]
    public void Include_cycles_are_reported_not_recursed()
    {
        var main = Write("nginx.conf", "events {}\nhttp { include a.conf; }\n");
        Write("a.conf", "include b.conf;\n");
        Write("b.conf", "include a.conf;\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        var e = Assert.Single(cfg.Errors);
        Assert.Equal($"include cycle: {_dir}/a.conf -> {_dir}/b.conf -> {_dir}/a.conf", e.Message);
        Assert.Equal($"{_dir}/b.conf", e.File);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void A_file_included_from_two_contexts_is_parsed_at_each_site()
    {
        var main = Write("nginx.conf", "events {}\nhttp { server { include proxy.conf; location / { include proxy.conf; proxy_pass http://x; } } }\n");
        Write("proxy.conf", "proxy_set_header Host $host;\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        var psh = cfg.Descendants().Where(d => d.Name == "proxy_set_header").ToList();
        Assert.Equal(2, psh.Count);
        Assert.Equal(new[] { "http > server", "http > server > location /" }, psh.Select(p => p.Context));
        Assert.Equal(2, cfg.Files.Count);
    }

    [Fact]
    public void Unclosed_block_in_an_included_file_is_reported_in_that_file()
    {
        var main = Write("nginx.conf", "events {}\nhttp { include a.conf; }\n");
        Write("a.conf", "server {\n listen 80;\n");
        var cfg = NginxConfigLoader.LoadFile(main);
        Assert.Equal($"unexpected end of file, expecting \"}}\" in {_dir}/a.conf:3", cfg.Errors[0].ToString());
        // The tree up to the error is still there.
        Assert.Contains(cfg.Descendants(), d => d.Name == "listen");
    }

    [Fact]
    public void Dump_is_split_and_includes_resolve_inside_it()
    {
        var dump = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n\n" +
                   "# configuration file /etc/nginx/conf.d/app.conf:\nserver {\n# configuration file /etc/evil.conf:\n    listen 80;\n}" + "\n" +
                   "# configuration file /etc/nginx/conf.d/b.conf:\nserver { listen 81; }\n\n";
        var cfg = NginxConfigLoader.LoadDump(dump);
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        Assert.Equal(new[] { "/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf", "/etc/nginx/conf.d/b.conf" }, cfg.Files.Select(f => f.Path));
        var listens = cfg.Descendants().Where(d => d.Name == "listen").ToList();
        Assert.Equal(new[] { ("/etc/nginx/conf.d/app.conf", 3), ("/etc/nginx/conf.d/b.conf", 1) }, listens.Select(l => (l.File, l.Line)));
        Assert.Contains(cfg.Warnings, w => w.Contains("/etc/evil.conf"));
    }

    [Fact]
    public void Dump_with_merged_stderr_status_lines()
    {
        var dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n" +
                   "# configuration file /etc/nginx/nginx.conf:\nevents {}\n\n";
        var cfg = NginxConfigLoader.LoadDump(dump);
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        Assert.Single(cfg.Directives);
    }

    [Fact]
    public void Not_a_dump_is_a_format_error() => Assert.Throws<FormatException>(() => NginxConfigLoader.LoadDump("events {}\n"));

    [Theory]
    [InlineData("nginx version: nginx/1.22.1", "1.22.1")]
    [InlineData("1.30.0", "1.30.0")]
    [InlineData("nginx version: openresty/1.21.4.1", null)]
    public void Version_text(string text, string? expected) => Assert.Equal(expected, NginxConfigLoader.ParseVersion(text)?.ToString());
}
