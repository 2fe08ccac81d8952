using System.Text;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>ngx_conf_read_token edge cases (reference nginx-config.md §1.2, §1.3, §1.10; verified on nginx 1.22.1).</summary>
public class TokenizerTests
{
    private static (NginxTokenResult Rc, List<string> Words, string? Error, int Line) First(string text)
    {
        var t = new NginxTokenizer(Encoding.UTF8.GetBytes(text));
        var rc = t.Next();
        return (rc, t.Args.Select(a => a.Value).ToList(), t.Error, t.Line);
    }

    private static string FirstError(string text)
    {
        var cfg = NginxConfigLoader.LoadText(text, "/t/nginx.conf", new NginxParseOptions { Validate = false });
        return cfg.Errors.Count == 0 ? "OK" : cfg.Errors[0].ToString();
    }

    [Theory]
    [InlineData("return 200 a}b;", new[] { "return", "200", "a}b" })]
    [InlineData("a#b c;", new[] { "a#b", "c" })]
    [InlineData("x a\"b c\";", new[] { "x", "a\"b", "c\"" })]
    [InlineData("x \"a\\tb\\\"c\\\\d\\x\";", new[] { "x", "a\tb\"c\\d\\x" })]
    [InlineData("x 'it\\'s';", new[] { "x", "it's" })]
    [InlineData("x a\\ b;", new[] { "x", "a\\ b" })]
    [InlineData("x a\\;b;", new[] { "x", "a\\;b" })]
    [InlineData("proxy_set_header Connection \"\";", new[] { "proxy_set_header", "Connection", "" })]
    [InlineData("x ${a}b;", new[] { "x", "${a}b" })]
    [InlineData("if ($a = \"b\") {", new[] { "if", "($a", "=", "b", ")" })]
    [InlineData("\"listen\" \"8083\";", new[] { "listen", "8083" })]
    [InlineData("x \"multi\nline\";", new[] { "x", "multi\nline" })]
    public void Words_match_nginx(string text, string[] expected)
    {
        var r = First(text);
        Assert.True(r.Rc is NginxTokenResult.Statement or NginxTokenResult.BlockStart, r.Error);
        Assert.Equal(expected, r.Words);
    }

    [Theory]
    [InlineData("x \"a\"b;", "unexpected \"b\" in /t/nginx.conf:1")]
    [InlineData("log_format x \"left\"-quote;", "unexpected \"-\" in /t/nginx.conf:1")]
    [InlineData("daemon on;;", "unexpected \";\" in /t/nginx.conf:1")]
    [InlineData("http {}\n};", "unexpected \"}\" in /t/nginx.conf:2")]
    [InlineData("{", "unexpected \"{\" in /t/nginx.conf:1")]
    [InlineData("http {\n  server {\n    listen 80\n  }\n}", "unexpected \"}\" in /t/nginx.conf:4")]
    [InlineData("x \"unterminated;\n", "unexpected end of file, expecting \";\" or \"}\" in /t/nginx.conf:2")]
    [InlineData("http {\n", "unexpected end of file, expecting \"}\" in /t/nginx.conf:2")]
    [InlineData("http {{}", "unexpected \"{\" in /t/nginx.conf:1")]
    [InlineData("http {}}", "unexpected \"}\" in /t/nginx.conf:1")]
    [InlineData("server { listen 80;; }", "unexpected \";\" in /t/nginx.conf:1")]
    [InlineData("server { listen 80; };", "unexpected \";\" in /t/nginx.conf:1")]
    [InlineData("http{}{}", "unexpected \"{\" in /t/nginx.conf:1")]
    [InlineData("http { map $a $b { ~^/a{2}$ 1; } }", "unexpected \"{\" in /t/nginx.conf:1")]
    [InlineData("daemon off;", "OK")]
    [InlineData("a\r\nb;\r\n", "OK")]
    public void Errors_match_nginx_text_and_line(string text, string expected) => Assert.Equal(expected, FirstError(text));

    [Fact]
    public void Directive_errors_report_the_terminating_line()
    {
        var cfg = NginxConfigLoader.LoadText("\nfoo\n\nbar\n\n;", "/t/nginx.conf");
        Assert.Equal("unknown directive \"foo\" in /t/nginx.conf:6", cfg.Errors[0].ToString());
        Assert.Equal(2, cfg.Directives[0].Line);
        Assert.Equal(6, cfg.Directives[0].EndLine);
    }

    [Fact]
    public void Bom_is_not_stripped()
    {
        var cfg = NginxConfigLoader.LoadText("\uFEFFevents {}", "/t/nginx.conf");
        Assert.Equal("unknown directive \"\uFEFFevents\" in /t/nginx.conf:1", cfg.Errors[0].ToString());
    }

    [Fact]
    public void Cr_only_line_endings_extend_a_comment_to_the_next_lf()
    {
        var cfg = NginxConfigLoader.LoadText("events {}\n# c\rdaemon bogus;\n", "/t/nginx.conf");
        Assert.True(cfg.IsValid, string.Join("; ", cfg.Errors));
        Assert.Single(cfg.Directives);
    }

    [Fact]
    public void Token_of_5000_bytes_is_too_long()
    {
        Assert.Equal("too long parameter \"xxxxxxxxxx...\" started in /t/nginx.conf:2", FirstError("daemon on;\nx " + new string('x', 5000) + ";\n"));
        Assert.Equal("too long parameter \"# xxxxxxxx...\" started in /t/nginx.conf:1", FirstError("# " + new string('x', 5000) + "\n"));
        Assert.Equal("too long parameter, probably missing terminating \"\"\" character in /t/nginx.conf:1", FirstError("x \"" + new string('x', 5000) + "\";\n"));
        Assert.Equal("OK", FirstError("x " + new string('x', 4000) + ";\n"));
    }

    [Fact]
    public void Binary_input_ends_with_an_error_not_a_hang()
    {
        var bytes = new byte[100_000];
        new Random(42).NextBytes(bytes);
        var files = new Dictionary<string, byte[]> { ["/t/bin.conf"] = bytes };
        var cfg = new NginxConfigParser(new DumpConfigSource(files)).Parse("/t/bin.conf", "test");
        Assert.False(cfg.IsValid);
        Assert.Equal("/t/bin.conf", cfg.Errors[0].File);
        Assert.True(cfg.Errors[0].Line >= 1);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var text = string.Concat(Enumerable.Repeat("location / {", 5000));
        var cfg = NginxConfigLoader.LoadText(text, "/t/deep.conf", new NginxParseOptions { Validate = false });
        Assert.Contains("nested deeper", cfg.Errors[0].Message);
    }
}
