using NginxUpstream.Analysis.Keepalive;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;
using Xunit;

namespace NginxUpstream.Tests.Keepalive;

/// <summary>The details of CK-LB and BODY-DEFAULT beyond the fixture counts: severities, fixes, where they point.</summary>
public class LoadBalancerAndUploadRuleTests
{
    private static readonly Version V = new(1, 24, 0);

    private static IReadOnlyList<ConfigFinding> Lint(string http, KeepaliveLintOptions o, string rule) =>
        KeepaliveLinter.Lint(NginxConfigLoader.LoadText("events {}\nhttp {\n" + http + "\n}\n", "/t/nginx.conf"), o.WithVersion(V))
            .Where(f => f.RuleId == rule).ToList();

    /// <summary>
    /// An idle timeout measured by Test-NginxUpstream -IdleProbe is not whole seconds: the suggested
    /// keepalive_timeout is rounded down to whole seconds (below the backend's, never above).
    /// </summary>
    [Theory]
    [InlineData(2998, "keepalive_timeout 1s;")]
    [InlineData(2000.3, "keepalive_timeout 1s;")]
    [InlineData(5000, "keepalive_timeout 4s;")]
    [InlineData(15500, "keepalive_timeout 13s;")]
    public void KA_IDLE_suggests_whole_seconds_below_a_measured_idle_timeout(double measuredMs, string fix)
    {
        var o = new KeepaliveLintOptions { Backend = new BackendProfile { IdleTimeout = TimeSpan.FromMilliseconds(measuredMs) } };
        var f = Assert.Single(Lint("upstream app { server 127.0.0.1:8000; keepalive 16; }\nserver { listen 80; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }", o, "KA-IDLE"));
        Assert.StartsWith("upstream app { " + fix + " }", f.Fix);
    }

    [Fact]
    public void CK_LB_reports_the_http_directive_once_with_every_location_it_governs()
    {
        var f = Assert.Single(Lint("keepalive_timeout 60s;\nserver { listen 80; location / { } location /a { } }",
            new() { LoadBalancer = LoadBalancerProfile.Known["alb"] }, "CK-LB"));
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Equal(3, f.Line);
        Assert.Equal("http", f.Context);
        Assert.Equal(new[] { "/t/nginx.conf:3" }, f.Involved);
        Assert.Equal(new[] { "http > server 80 > location /", "http > server 80 > location /a" }, f.UsedBy);
        Assert.StartsWith("keepalive_timeout 65s;", f.Fix);
    }

    [Fact]
    public void CK_LB_uses_the_75s_default_per_server_and_points_at_the_server()
    {
        var all = Lint("server { listen 80; location / { } }\nserver { listen 81; keepalive_timeout 700s; location / { } }",
            new() { LoadBalancer = LoadBalancerProfile.Known["gcp"] }, "CK-LB");
        var f = Assert.Single(all);
        Assert.Equal(3, f.Line);
        Assert.Equal("http > server 80", f.Context);
        Assert.Contains("the default keepalive_timeout 75s", f.Detail);
        Assert.StartsWith("keepalive_timeout 615s;   # in 'http > server 80'", f.Fix);
    }

    [Fact]
    public void CK_LB_treats_keepalive_off_as_info_not_as_the_race()
    {
        var f = Assert.Single(Lint("server { listen 80; keepalive_timeout 0; location / { } }", new() { LoadBalancer = LoadBalancerProfile.Known["alb"] }, "CK-LB"));
        Assert.Equal(FindingSeverity.Info, f.Severity);
        Assert.Contains("cannot occur", f.Detail);
    }

    [Fact]
    public void CK_LB_needs_a_declared_load_balancer_and_an_explicit_timeout_overrides_the_preset()
    {
        const string http = "server { listen 80; keepalive_timeout 90s; location / { } }";
        Assert.Empty(Lint(http, new(), "CK-LB"));
        Assert.Empty(Lint(http, new() { LoadBalancer = LoadBalancerProfile.Known["alb"] }, "CK-LB"));
        var f = Assert.Single(Lint(http, new() { LoadBalancer = LoadBalancerProfile.Known["alb"] with { IdleTimeout = TimeSpan.FromSeconds(90) } }, "CK-LB"));
        Assert.Contains("90s", f.Detail);
    }

    [Fact]
    public void BODY_DEFAULT_suggests_the_backend_limit_when_known()
    {
        var f = Assert.Single(Lint("upstream app { server 127.0.0.1:1; }\nserver { listen 80; location /upload { proxy_pass http://app; } }",
            new() { Backend = BackendProfile.Known["kestrel"] }, "BODY-DEFAULT"));
        Assert.Equal(FindingSeverity.Info, f.Severity);
        Assert.Equal("app", f.Upstream);
        Assert.StartsWith("client_max_body_size 28m;", f.Fix);
        Assert.Contains("its URI says 'upload'", f.Detail);
    }

    [Theory]
    [InlineData("location /api/v2/Import { proxy_pass http://app; }", null, true)]      // strong word, any case
    [InlineData("location ~ ^/(uploads|fileupload)/ { proxy_pass http://app; }", null, true)]
    [InlineData("location /important { proxy_pass http://app; }", null, false)]       // not the word "import"
    [InlineData("location /files/ { proxy_pass http://app; }", null, false)]           // one weak hint
    [InlineData("location /api/ { proxy_request_buffering off; proxy_pass http://app; }", null, true)]
    [InlineData("location /api/ { limit_except POST { deny all; } proxy_pass http://app; }", null, false)]
    [InlineData("location /files/ { limit_except PATCH { deny all; } proxy_pass http://app; }", null, true)]
    [InlineData("location /files/ { limit_except GET PUT { deny all; } proxy_pass http://app; }", null, false)] // GET allowed: not write-only
    [InlineData("location /API/Ingest { proxy_pass http://app; }", "/api/ingest", true)] // tag, case-insensitive
    [InlineData("location /api/ingest { proxy_pass http://app; }", "/api/in?est*", true)]
    [InlineData("location /api/ingest { proxy_pass http://app; }", "/api", false)]       // whole-URI match
    [InlineData("location /upload { client_max_body_size 1m; proxy_pass http://app; }", "/upload", false)]
    public void BODY_DEFAULT_hints(string location, string? tag, bool fires)
    {
        var o = new KeepaliveLintOptions { UploadLocations = tag is null ? Array.Empty<string>() : new[] { tag } };
        var found = Lint("upstream app { server 127.0.0.1:1; }\nserver { listen 80; " + location + " }", o, "BODY-DEFAULT");
        Assert.Equal(fires ? 1 : 0, found.Count);
    }

    [Fact]
    public void KA_IDLE_UNKNOWN_warns_when_1_29_7_turned_the_cache_on()
    {
        var cfg = NginxConfigLoader.LoadText("events {}\nhttp {\nupstream app { server 127.0.0.1:1; }\nserver { location / { proxy_pass http://app; } }\n}\n", "/t/nginx.conf");
        var f = Assert.Single(KeepaliveLinter.Lint(cfg, new KeepaliveLintOptions { NginxVersion = new Version(1, 30, 0) }), x => x.RuleId == "KA-IDLE-UNKNOWN");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
    }
}
