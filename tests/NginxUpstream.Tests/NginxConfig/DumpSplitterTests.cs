using System.Text;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>
/// File contents cut out of `nginx -T` text at the edges the splitter handles (CRLF, text before
/// the first header, headers no include explains, merged status lines, empty files). Trailing
/// newlines are compared trimmed: how many a file keeps at the end is the splitter's convention,
/// not something these cases decide.
/// </summary>
public class DumpSplitterTests
{
    private static string Text(NginxDump d, string path) => Encoding.UTF8.GetString(d.Files[path]).TrimEnd('\n');

    [Fact]
    public void Crlf_text_before_the_first_header_fake_headers_and_merged_status_lines()
    {
        var dump = "nginx: [warn] early\r\nstray text\r\n"
            + "# configuration file /a/nginx.conf:\r\nhttp { include x/*.conf; }\r\n\r\n"
            + "# configuration file /a/x/1.conf:\r\n# configuration file /b/elsewhere.conf:\r\nserver {}\r\n\r\n\r\n"
            + "# configuration file /a/x/2.conf:\r\nlast;\r\n\r\n"
            + "nginx: [warn] late\r\nnginx: the configuration file /a/nginx.conf syntax is ok\r\n";
        var d = NginxDumpSplitter.Split(dump);
        Assert.Equal("/a/nginx.conf", d.MainFile);
        Assert.Equal(new[] { "/a/nginx.conf", "/a/x/1.conf", "/a/x/2.conf" }, d.Order);
        Assert.Equal("http { include x/*.conf; }", Text(d, "/a/nginx.conf"));
        // A header no include explains is content.
        Assert.Equal("# configuration file /b/elsewhere.conf:\nserver {}", Text(d, "/a/x/1.conf"));
        Assert.Equal("last;", Text(d, "/a/x/2.conf"));
        Assert.Equal(new[]
        {
            "text before the first '# configuration file' header ignored: stray text",
            "'# configuration file /b/elsewhere.conf:' in /a/x/1.conf matches no include pattern; kept as file content.",
        }, d.Warnings);
    }

    /// <summary>What nginx 1.22.1 prints for `nginx -T ... 2>&amp;1` (captured): the two status lines lead, the second without "the".</summary>
    [Fact]
    public void Real_status_lines_of_nginx_T_merged_with_stderr_are_not_content_or_warnings()
    {
        const string status = "nginx: the configuration file /tmp/nt/nginx.conf syntax is ok\nnginx: configuration file /tmp/nt/nginx.conf test is successful\n";
        var body = "# configuration file /tmp/nt/nginx.conf:\nevents {}\nhttp { server { listen 127.0.0.1:8099; } }\n\n";
        foreach (var dump in new[] { status + body, body + status })
        {
            var d = NginxDumpSplitter.Split(dump);
            Assert.Empty(d.Warnings);
            Assert.Equal("events {}\nhttp { server { listen 127.0.0.1:8099; } }", Text(d, "/tmp/nt/nginx.conf"));
        }
    }

    [Fact]
    public void Files_without_a_trailing_newline_or_with_no_content()
    {
        var d = NginxDumpSplitter.Split("# configuration file /a/n.conf:\nhttp { include e.conf; include f.conf; }\n\n# configuration file /a/e.conf:\n\n# configuration file /a/f.conf:\nx;");
        Assert.Equal("http { include e.conf; include f.conf; }", Text(d, "/a/n.conf"));
        Assert.Equal("", Text(d, "/a/e.conf"));
        Assert.Equal("x;", Text(d, "/a/f.conf"));
        Assert.Empty(d.Warnings);
    }
}
