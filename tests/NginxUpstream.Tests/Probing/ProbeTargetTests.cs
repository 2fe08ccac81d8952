using NginxUpstream.Probing;
using Xunit;

namespace NginxUpstream.Tests.Probing;

public class ProbeTargetTests
{
    [Theory]
    [InlineData("127.0.0.1:8000", "127.0.0.1", 8000, null, null, "127.0.0.1:8000")]
    [InlineData("[::1]:9000", "::1", 9000, null, null, "[::1]:9000")]
    [InlineData("backend.internal", "backend.internal", 80, null, null, "backend.internal:80")]
    [InlineData("http://127.0.0.1:19001/refused/api?id=42", "127.0.0.1", 19001, null, "/refused/api?id=42", "127.0.0.1:19001")]
    [InlineData("http://[::1]:19001/health", "::1", 19001, null, "/health", "[::1]:19001")]
    [InlineData("http://app:8080", "app", 8080, null, null, "app:8080")]
    [InlineData("unix:/run/gunicorn.sock", null, 0, "/run/gunicorn.sock", null, "localhost")]
    [InlineData("http://unix:/run/app.sock:/api/x", null, 0, "/run/app.sock", "/api/x", "localhost")]
    public void Parses(string text, string? host, int port, string? unix, string? urlPath, string authority)
    {
        Assert.Equal(ProbeTargetProblem.None, ProbeTarget.TryParse(text, out var t));
        Assert.Equal(host, t!.Host);
        if (unix is null) Assert.Equal(port, t.Port);
        Assert.Equal(unix, t.UnixPath);
        Assert.Equal(urlPath, t.UrlPath);
        Assert.Equal(authority, t.Authority);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8443/", ProbeTargetProblem.Https)]
    [InlineData("grpc://127.0.0.1:50051", ProbeTargetProblem.UnsupportedScheme)]
    [InlineData("127.0.0.1:99999", ProbeTargetProblem.BadPort)]
    [InlineData("127.0.0.1:0", ProbeTargetProblem.BadPort)]
    [InlineData("host:abc", ProbeTargetProblem.BadPort)]
    [InlineData("[::1:80", ProbeTargetProblem.Malformed)]
    [InlineData("not an address", ProbeTargetProblem.Malformed)]
    [InlineData("unix:relative.sock", ProbeTargetProblem.Malformed)]
    [InlineData("  ", ProbeTargetProblem.Empty)]
    public void Rejects(string text, ProbeTargetProblem expected) =>
        Assert.Equal(expected, ProbeTarget.TryParse(text, out _));

    [Fact]
    public void UrlsOfOneUpstream_ShareOneKey()
    {
        ProbeTarget.TryParse("http://127.0.0.1:8000/a", out var a);
        ProbeTarget.TryParse("127.0.0.1:8000", out var b);
        Assert.Equal(a!.Key, b!.Key);
    }
}
