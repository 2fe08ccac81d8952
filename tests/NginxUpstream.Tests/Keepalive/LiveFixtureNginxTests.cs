using System.Text.RegularExpressions;
using NginxUpstream.Parsing.NginxConfig;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.Keepalive;

/// <summary>
/// Every project rule fixture (tests/fixtures/keepalive-rules) against the real `nginx -t` of this
/// machine (Debian nginx 1.22.1, run with -p/-c/-e into a temp prefix, never /etc/nginx): the rules
/// are about valid configs, so nginx must accept each file, except the ones listed in
/// <see cref="RejectedBefore"/>, whose syntax is newer than the installed nginx and which must be
/// rejected with exactly the error nginx gives for it. Without nginx on this machine there is
/// nothing to run and the tests return early (as LiveNginxVerdictTests does).
/// </summary>
public class LiveFixtureNginxTests
{
    private static readonly string? Nginx = ExternalCommand.Which("nginx");

    /// <summary>Fixtures that need a newer nginx: the version that accepts them, why, and nginx's error before it (file:line appended).</summary>
    public static readonly IReadOnlyDictionary<string, (Version AcceptedFrom, string Why, string Error, int Line)> RejectedBefore =
        new Dictionary<string, (Version, string, string, int)>(StringComparer.Ordinal)
        {
            ["VER-SYNTAX/keepalive_local_on_1_24.conf"] = (new(1, 29, 7), "`keepalive N local` is 1.29.7 syntax: the rule's own subject", "invalid number of arguments in \"keepalive\" directive", 4),
            ["VER-SYNTAX/keepalive_local_on_1_30_fp.conf"] = (new(1, 29, 7), "valid on its declared target 1.30.0, too new for this nginx", "invalid number of arguments in \"keepalive\" directive", 4),
            ["VER-SYNTAX/proxy_http_version_2_on_1_28.conf"] = (new(1, 29, 4), "`proxy_http_version 2` is 1.29.4 syntax: the rule's own subject", "invalid value \"2\"", 7),
        };

    public static IEnumerable<object[]> Files() =>
        Directory.EnumerateFiles(RuleFixtureTests.ProjectRoot, "*.conf", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(RuleFixtureTests.ProjectRoot, p).Replace('\\', '/'))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { p });

    private static readonly Regex Emerg = new(@"\[emerg\] (?:\d+#\d+: )?(?<msg>.*)$", RegexOptions.Multiline);

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_is_accepted_by_real_nginx_t_unless_listed(string rel)
    {
        if (Nginx is null) return; // documented: nothing to compare against on this machine
        var path = Path.Combine(RuleFixtureTests.ProjectRoot, rel);
        var installed = NginxConfigLoader.GetInstalledVersion(Nginx) ?? throw new InvalidOperationException("nginx -v gave no version");
        var prefix = Directory.CreateTempSubdirectory("ngxfix").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            var r = ExternalCommand.Run(Nginx, new[] { "-t", "-q", "-e", "stderr", "-p", prefix + "/", "-c", path }, TimeSpan.FromSeconds(20));
            var verdict = r.ExitCode == 0 ? "OK" : Emerg.Match(r.StandardError) is { Success: true } m ? m.Groups["msg"].Value.Trim() : r.StandardError.Trim();
            if (RejectedBefore.TryGetValue(rel, out var e) && installed < e.AcceptedFrom)
                Assert.Equal($"{e.Error} in {path}:{e.Line}", verdict);
            else
                Assert.True(verdict == "OK", $"nginx {installed} rejects {rel}: {verdict}");
        }
        finally { Directory.Delete(prefix, true); }
    }

    [Fact]
    public void Every_listed_rejection_is_an_existing_fixture()
    {
        foreach (var rel in RejectedBefore.Keys)
            Assert.True(File.Exists(Path.Combine(RuleFixtureTests.ProjectRoot, rel)), rel);
    }
}
