using System.Text.Json;
using NginxUpstream.Analysis.Keepalive;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.Keepalive;

/// <summary>
/// Gixy convention over two roots of RULE-ID/ folders: the shared corpus
/// (corpus/nginx-config/keepalive-rules/) and the project's tests/fixtures/keepalive-rules/ (rules
/// the shared corpus does not cover). x.conf yields exactly one finding of that rule, x_fp.conf
/// none (other rules may fire). `# Options:` gives the nginx version, backend profiles per
/// upstream and, in project fixtures, the load balancer (CK-LB) and upload tags (BODY-DEFAULT).
/// </summary>
public class RuleFixtureTests
{
    public static string SharedRoot => TestPaths.Corpus("nginx-config", "keepalive-rules");
    public static string ProjectRoot => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "keepalive-rules");
    public static string Root(string root) => root == "shared" ? SharedRoot : ProjectRoot;

    public static IEnumerable<object[]> KeepaliveFixtures() =>
        new[] { "shared", "project" }.SelectMany(root =>
            Directory.EnumerateFiles(Root(root), "*.conf", SearchOption.AllDirectories)
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => new object[] { root, Path.GetFileName(Path.GetDirectoryName(p))!, Path.GetFileName(p) }));

    /// <summary>The linter inputs of a fixture's `# Options: {json}` first line.</summary>
    public static KeepaliveLintOptions ReadOptions(string path)
    {
        var first = File.ReadLines(path).FirstOrDefault() ?? "";
        var backends = new Dictionary<string, BackendProfile>(StringComparer.Ordinal);
        if (!first.StartsWith("# Options:", StringComparison.Ordinal)) return new KeepaliveLintOptions();
        using var doc = JsonDocument.Parse(first["# Options:".Length..]);
        var root = doc.RootElement;
        string? Str(string n) => root.TryGetProperty(n, out var x) ? x.GetString() : null;
        Version? version = Str("nginx_version") is { } v ? Version.Parse(v) : null;
        if (root.TryGetProperty("backends", out var b))
            foreach (var up in b.EnumerateObject())
            {
                string? S(string n) => up.Value.TryGetProperty(n, out var x) ? x.ToString() : null;
                backends[up.Name] = new BackendProfile
                {
                    Name = up.Name,
                    IdleTimeout = NginxValues.ParseTime(S("idle_timeout")),
                    RequestTimeout = NginxValues.ParseTime(S("request_timeout")),
                    BodyLimit = NginxValues.ParseSize(S("max_body")),
                    MaxRequests = int.TryParse(S("max_requests"), out var r) ? r : null,
                };
            }
        // load_balancer: a preset name; load_balancer_idle_timeout: the real Tlb (overrides the preset's).
        var lb = Str("load_balancer") is { } name ? LoadBalancerProfile.Known[name] : null;
        if (NginxValues.ParseTime(Str("load_balancer_idle_timeout")) is { } tlb)
            lb = lb is null ? new LoadBalancerProfile("load balancer", tlb, "fixture") : lb with { IdleTimeout = tlb };
        var uploads = root.TryGetProperty("upload_locations", out var u) ? u.EnumerateArray().Select(e => e.GetString()!).ToArray() : Array.Empty<string>();
        return new KeepaliveLintOptions { NginxVersion = version, Upstreams = backends, LoadBalancer = lb, UploadLocations = uploads };
    }

    [Theory]
    [MemberData(nameof(KeepaliveFixtures))]
    public void Keepalive_rule_fixture(string root, string ruleId, string file)
    {
        var path = Path.Combine(Root(root), ruleId, file);
        var options = ReadOptions(path);
        var cfg = NginxConfigLoader.LoadFile(path);
        Assert.DoesNotContain(cfg.Errors, e => e.Kind == NginxConfigErrorKind.Syntax);
        var findings = KeepaliveLinter.Lint(cfg, options);
        var mine = findings.Where(f => f.RuleId == ruleId).ToList();
        var expected = file.EndsWith("_fp.conf", StringComparison.Ordinal) ? 0 : 1;
        Assert.True(mine.Count == expected, $"{ruleId}/{file}: {mine.Count} findings, expected {expected}: {string.Join(" | ", mine.Select(f => f.Detail))}");
        foreach (var f in mine)
        {
            Assert.Equal(path, f.File);
            Assert.True(f.Line > 0);
            Assert.NotEmpty(f.Involved);
            Assert.All(f.Involved, i => Assert.Matches(@":\d+$", i));
            Assert.Contains($"{path}:{f.Line}", f.Involved);
            Assert.False(string.IsNullOrWhiteSpace(f.Fix));
            Assert.False(string.IsNullOrWhiteSpace(f.Context));
            Assert.StartsWith("http", f.Context);
            Assert.Equal($"nginx {options.NginxVersion}", f.AppliesTo);
        }
    }

    [Fact]
    public void Every_rule_has_fixtures_of_both_kinds_across_the_two_roots()
    {
        var ids = KeepaliveLinter.Rules.Select(r => r.Id).ToHashSet();
        Assert.Equal(ids.Count, KeepaliveLinter.Rules.Count);
        var dirs = new[] { SharedRoot, ProjectRoot }.SelectMany(Directory.EnumerateDirectories).ToList();
        foreach (var dir in dirs) Assert.Contains(Path.GetFileName(dir), ids);
        foreach (var id in ids)
        {
            var files = dirs.Where(d => Path.GetFileName(d) == id).SelectMany(d => Directory.EnumerateFiles(d, "*.conf")).ToList();
            Assert.True(files.Any(f => !f.EndsWith("_fp.conf", StringComparison.Ordinal)), $"{id}: no x.conf (fires) in either root");
            Assert.True(files.Any(f => f.EndsWith("_fp.conf", StringComparison.Ordinal)), $"{id}: no x_fp.conf (silent) in either root");
        }
    }

    // Gixy-Next's proxy_set_header_redefinition is PSH-DROP (same array-replace semantics);
    // files with plugin `# Options:` (header filters) configure gixy, not us, and are left out.
    // low_keepalive_requests: upstream_fp applies to KA-REQ-CLIENT; disabled_zero does not (the
    // reference excludes 0 = keep-alive disabled).
    public static IEnumerable<object[]> GixyFixtures()
    {
        var psh = TestPaths.Corpus("nginx-config", "gixy", "gixy-next", "proxy_set_header_redefinition");
        foreach (var f in Directory.EnumerateFiles(psh, "*.conf").OrderBy(p => p, StringComparer.Ordinal))
            if (!File.ReadLines(f).First().StartsWith("# Options:")) yield return new object[] { "PSH-DROP", "proxy_set_header_redefinition/" + Path.GetFileName(f) };
        yield return new object[] { "KA-REQ-CLIENT", "low_keepalive_requests/upstream_fp.conf" };
    }

    [Theory]
    [MemberData(nameof(GixyFixtures))]
    public void Gixy_fixture(string ruleId, string rel)
    {
        var path = TestPaths.Corpus("nginx-config", "gixy", "gixy-next", rel);
        var cfg = NginxConfigLoader.LoadFile(path, new NginxParseOptions { RequireEvents = false });
        var mine = KeepaliveLinter.Lint(cfg, new KeepaliveLintOptions()).Where(f => f.RuleId == ruleId).ToList();
        Assert.True(mine.Count == (rel.EndsWith("_fp.conf") ? 0 : 1), $"{rel}: {string.Join(" | ", mine.Select(f => f.Detail))}");
    }

    [Fact]
    public void Unknown_version_evaluates_both_regimes_and_says_which_applies()
    {
        var cfg = NginxConfigLoader.LoadText("events {}\nhttp {\n upstream app { server 127.0.0.1:3000; }\n server { location / { proxy_pass http://app; } }\n}\n", "/t/nginx.conf");
        var findings = KeepaliveLinter.Lint(cfg, new KeepaliveLintOptions { Backend = BackendProfile.Known["node"] });
        var idle = Assert.Single(findings, f => f.RuleId == "KA-IDLE");
        Assert.Equal("nginx >= 1.29.7 only (nginx version unknown)", idle.AppliesTo);
        Assert.Equal("upstream app", idle.Context!.Split(" > ").Last());
        Assert.Equal(new[] { "http > server > location /" }, idle.UsedBy);
        Assert.Contains("keepalive_timeout 4s", idle.Fix);
        Assert.Equal(FindingSeverity.Error, idle.Severity);
    }

    [Fact]
    public void Per_upstream_profile_overrides_the_default_backend()
    {
        var cfg = NginxConfigLoader.LoadText("events {}\nhttp {\n upstream a { server 127.0.0.1:1; keepalive 8; }\n upstream b { server 127.0.0.1:2; keepalive 8; }\n" +
            " server { location /a { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://a; } location /b { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://b; } }\n}\n", "/t/nginx.conf");
        var findings = KeepaliveLinter.Lint(cfg, new KeepaliveLintOptions
        {
            NginxVersion = new Version(1, 22, 1),
            Backend = BackendProfile.Known["gunicorn"],
            Upstreams = new Dictionary<string, BackendProfile> { ["b"] = new() { IdleTimeout = TimeSpan.FromSeconds(120) } },
        });
        Assert.Equal(new[] { "a" }, findings.Where(f => f.RuleId == "KA-IDLE").Select(f => f.Upstream));
        Assert.True(KeepaliveLinter.IsClean(findings.Where(f => f.Upstream == "b")));
    }
}
