using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>
/// Every .conf of the shared nginx-config corpus against the real `nginx -t` installed on this
/// machine (Debian nginx, run with -p/-c/-e into a temp prefix, never /etc/nginx). When nginx
/// names a tokenizer/structure/include/directive-table error, our first error must be the same
/// text at the same file:line; when it accepts, so must we. Verdicts that depend on the running
/// nginx (variables, modules not built into this package, users, dlopen) are counted, not compared.
/// Without nginx on this machine the theory has nothing to compare and says so in its output.
/// </summary>
public class LiveNginxVerdictTests
{
    private static readonly string? Nginx = ExternalCommand.Which("nginx");

    public static IEnumerable<object[]> Files() =>
        Directory.EnumerateFiles(TestPaths.Corpus("nginx-config"), "*.conf", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(TestPaths.Corpus("nginx-config"), p))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { p });

    private static readonly Regex Emerg = new(@"\[emerg\] (?:\d+#\d+: )?(?<msg>.*)$", RegexOptions.Multiline);
    private static readonly string[] ParserMessages =
    {
        "unexpected ", "too long parameter", "unknown directive ", "directive is not allowed here",
        "invalid number of arguments", "is not terminated by", "has no opening", "no \"events\" section",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Verdict_equals_live_nginx_t(string rel)
    {
        if (Nginx is null) return; // documented: nothing to compare against on this machine
        var path = TestPaths.Corpus("nginx-config", rel);
        var prefix = Directory.CreateTempSubdirectory("ngxt").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            var r = ExternalCommand.Run(Nginx, new[] { "-t", "-q", "-e", "stderr", "-p", prefix + "/", "-c", path }, TimeSpan.FromSeconds(20));
            var m = Emerg.Match(r.StandardError);
            var nginx = r.ExitCode == 0 ? "OK" : m.Success ? m.Groups["msg"].Value.Trim() : r.StandardError.Trim();
            var version = NginxConfigLoader.GetInstalledVersion(Nginx);
            var cfg = NginxConfigLoader.LoadFile(path, new NginxParseOptions { NginxVersion = version });
            var ours = cfg.Errors.Count == 0 ? "OK" : cfg.Errors[0].ToString();

            var parserVerdict = nginx == "OK" || nginx.StartsWith("open() ", StringComparison.Ordinal) || ParserMessages.Any(nginx.Contains);
            // A directive of the nginx source table that this Debian build lacks (module not compiled in).
            var notBuilt = Regex.Match(nginx, "^unknown directive \"([^\"]+)\"") is { Success: true } u && Parsing.NginxConfig.DirectiveTable.Lookup(u.Groups[1].Value) is not null;
            if (parserVerdict && !notBuilt)
            {
                if (nginx == "OK")
                    Assert.True(ours == "OK", $"nginx accepts {rel}, we say: {ours}");
                else
                    Assert.Equal(nginx, ours);
            }
            else
            {
                // Runtime verdict: nginx stopped for a reason a parser cannot see. We must not
                // claim a syntax error earlier in the same file than where nginx stopped.
                var at = Regex.Match(nginx, @" in (\S+):(\d+)$");
                foreach (var e in cfg.Errors.Where(e => e.Kind == NginxConfigErrorKind.Syntax))
                    Assert.True(!at.Success || e.File != at.Groups[1].Value || e.Line > int.Parse(at.Groups[2].Value), $"{rel}: {e} vs nginx: {nginx}");
            }
        }
        finally { Directory.Delete(prefix, true); }
    }
}
