using System.Net;
using NginxUpstream.Parsing.ProcNetTcp;
using Xunit;

namespace NginxUpstream.Tests.ProcNetTcp;

public sealed class UpstreamEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:8000", "127.0.0.1", 8000, true)]
    [InlineData("127.0.0.1:8000", "::ffff:127.0.0.1", 8000, true)]   // IPv4-mapped is the IPv4 address
    [InlineData("127.0.0.1:8000", "127.0.0.1", 8001, false)]
    [InlineData("127.0.0.1:8000", "127.0.0.2", 8000, false)]
    [InlineData("[::1]:9000", "::1", 9000, true)]
    [InlineData("[::1]:9000", "127.0.0.1", 9000, false)]
    [InlineData("localhost:8000", "127.0.0.1", 8000, true)]
    [InlineData("localhost:8000", "::1", 8000, true)]
    [InlineData("LOCALHOST:8000", "::ffff:127.0.0.1", 8000, true)]
    [InlineData("8000", "10.1.2.3", 8000, true)]                     // a port alone: any address
    [InlineData("10.0.0.*:8000", "10.0.0.17", 8000, true)]
    [InlineData("10.0.0.*:8000", "10.0.1.17", 8000, false)]
    [InlineData("*:8000", "::1", 8000, true)]
    [InlineData("10.0.0.5", "10.0.0.5", 443, true)]                  // a host alone: any port
    [InlineData("::1", "::1", 22, true)]
    [InlineData("http://127.0.0.1:8000/api/x?y=1", "127.0.0.1", 8000, true)] // nginx's upstream: field
    public void Matches_literal_addresses(string text, string address, int port, bool match)
    {
        Assert.Equal(UpstreamEndpointProblem.None, UpstreamEndpoint.TryParse(text, out var ep));
        Assert.Equal(match, ep!.Matches(IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000/a?b", "127.0.0.1:8000")]
    [InlineData("https://[::1]:9000/", "[::1]:9000")]
    [InlineData(" localhost:80 ", "localhost:80")]
    [InlineData("8000", "8000")]
    public void Its_name_is_the_authority_so_many_uris_of_one_upstream_are_one(string text, string name)
    {
        Assert.Equal(UpstreamEndpointProblem.None, UpstreamEndpoint.TryParse(text, out var ep));
        Assert.Equal(name, ep!.Text);
    }

    [Theory]
    [InlineData("unix:/run/gunicorn.sock", UpstreamEndpointProblem.UnixSocket)]
    [InlineData("http://unix:/run/php/php-fpm.sock:/index.php", UpstreamEndpointProblem.UnixSocket)]
    [InlineData("/run/app.sock", UpstreamEndpointProblem.UnixSocket)]
    [InlineData("backend:8080", UpstreamEndpointProblem.NotLiteralAddress)] // no DNS
    [InlineData("backend", UpstreamEndpointProblem.NotLiteralAddress)]
    [InlineData("127.1:80", UpstreamEndpointProblem.NotLiteralAddress)]
    [InlineData("127.0.0.1:99999", UpstreamEndpointProblem.BadPort)]
    [InlineData("127.0.0.1:http", UpstreamEndpointProblem.BadPort)]
    [InlineData("[::1:9000", UpstreamEndpointProblem.Malformed)]
    [InlineData(" ", UpstreamEndpointProblem.Empty)]
    public void Rejects_what_cannot_select_tcp_sockets(string text, UpstreamEndpointProblem problem) =>
        Assert.Equal(problem, UpstreamEndpoint.TryParse(text, out _));

    [Theory]
    [InlineData("127.0.0.1:8000", "0.0.0.0", 8000, true)]
    [InlineData("127.0.0.1:8000", "::", 8000, true)]     // dual stack
    [InlineData("[::1]:8000", "0.0.0.0", 8000, false)]   // an IPv4 wildcard does not serve ::1
    [InlineData("[::1]:8000", "::", 8000, true)]
    [InlineData("127.0.0.1:8000", "0.0.0.0", 8001, false)]
    [InlineData("127.0.0.1:8000", "127.0.0.2", 8000, false)]
    public void A_wildcard_listener_serves_the_upstream_of_its_family(string text, string bound, int port, bool match)
    {
        UpstreamEndpoint.TryParse(text, out var ep);
        Assert.Equal(match, ep!.MatchesListener(IPAddress.Parse(bound), port));
    }
}
