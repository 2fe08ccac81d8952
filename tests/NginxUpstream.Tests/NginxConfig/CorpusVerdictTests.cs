using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.NginxConfig;

/// <summary>
/// Every row of crossplane{,-go}/VERDICTS.tsv (the first message of a real `nginx -t` 1.22.1):
/// our first error must be the same text at the same file:line, or both must accept. Messages
/// that depend on the runtime (unknown variables, dlopen of modules, geo ranges, if conditions,
/// location nesting) are beyond a parser: for those the test asserts the parser accepts the
/// syntax and says so.
/// </summary>
public class CorpusVerdictTests
{
    public static IEnumerable<object[]> Rows()
    {
        foreach (var set in new[] { "crossplane", "crossplane-go" })
        {
            var tsv = TestPaths.Corpus("nginx-config", set, "VERDICTS.tsv");
            foreach (var line in File.ReadLines(tsv).Skip(1))
            {
                var cols = line.Split('\t');
                if (cols.Length >= 2) yield return new object[] { set, cols[0], cols[1] };
            }
        }
    }

    private static readonly string[] BeyondParser =
    {
        "unknown \"", "dlopen()", "invalid range", "invalid condition", "is outside location",
    };

    public static bool IsParserVerdict(string nginx) => nginx == "OK" || !BeyondParser.Any(nginx.Contains);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Verdict_equals_real_nginx_t(string set, string file, string nginx)
    {
        var dir = TestPaths.Corpus("nginx-config", set);
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) path = Path.Combine(dir, "testdata", file);
        Assert.True(File.Exists(path), path);
        var cfg = NginxConfigLoader.LoadFile(path, new NginxParseOptions { NginxVersion = new Version(1, 22, 1) });
        var prefix = Path.GetDirectoryName(path)! + "/";
        var ours = cfg.Errors.Count == 0 ? "OK" : cfg.Errors[0].ToString().Replace(prefix, "");
        if (IsParserVerdict(nginx))
            Assert.Equal(nginx, ours);
        else
        {
            // nginx stopped for a runtime reason at FILE:LINE; any syntax error we find must lie
            // beyond that point (nginx never got there), not before it.
            var m = System.Text.RegularExpressions.Regex.Match(nginx, @" in (\S+):(\d+)$");
            foreach (var e in cfg.Errors.Where(e => e.Kind == NginxConfigErrorKind.Syntax))
            {
                Assert.True(m.Success, $"syntax error {e} where nginx stopped at runtime: {nginx}");
                var sameFile = e.File!.Replace(prefix, "") == m.Groups[1].Value;
                Assert.True(!sameFile || e.Line > int.Parse(m.Groups[2].Value), $"syntax error {e} before nginx's stop: {nginx}");
            }
        }
    }
}
