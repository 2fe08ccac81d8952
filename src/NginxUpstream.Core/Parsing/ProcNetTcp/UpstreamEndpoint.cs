using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace NginxUpstream.Parsing.ProcNetTcp;

/// <summary>Why an -Upstream value cannot select TCP sockets.</summary>
public enum UpstreamEndpointProblem { None, Empty, UnixSocket, NotLiteralAddress, BadPort, Malformed }

/// <summary>
/// An upstream as an operator or nginx writes it — "127.0.0.1:8000", "[::1]:9000", "localhost:8000",
/// "10.0.0.*:8000", "8000" (a port on any address) or a host alone (any port) — matched against
/// socket endpoints by literal address, never by DNS: "localhost" is 127.0.0.1 and ::1, and an
/// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
/// </summary>
public sealed class UpstreamEndpoint
{
    public string Text { get; }
    public int? Port { get; }
    private readonly IPAddress[]? _addresses; // null: any address
    private readonly Regex? _pattern;          // wildcard host, on the address text

    private UpstreamEndpoint(string text, int? port, IPAddress[]? addresses, Regex? pattern)
    {
        Text = text; Port = port; _addresses = addresses; _pattern = pattern;
    }

    public static UpstreamEndpointProblem TryParse(string? text, out UpstreamEndpoint? endpoint)
    {
        endpoint = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return UpstreamEndpointProblem.Empty;
        // A URL as in proxy_pass or nginx's upstream: field (http://127.0.0.1:8000/path): keep its authority.
        int scheme = t.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0) t = t[(scheme + 3)..];
        if (t.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || t.StartsWith('/')) return UpstreamEndpointProblem.UnixSocket;
        if (scheme > 0) { int slash = t.IndexOf('/'); if (slash >= 0) t = t[..slash]; }
        if (t.Length == 0) return UpstreamEndpointProblem.Empty;

        string host;
        string? portText;
        if (t.All(char.IsAsciiDigit)) { host = "*"; portText = t; }
        else if (!HostPort.TrySplit(t, out host, out portText)) return UpstreamEndpointProblem.Malformed;

        int? port = null;
        if (portText is not null && portText != "*")
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535) return UpstreamEndpointProblem.BadPort;
            port = p;
        }

        // The upstream's name: its authority as written (a URL's path and scheme dropped), so that
        // errors on many URIs of one upstream are one upstream.
        var name = t;
        if (host is "*" or "") { endpoint = new(name, port, null, null); return UpstreamEndpointProblem.None; }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        { endpoint = new(name, port, new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }, null); return UpstreamEndpointProblem.None; }
        if (host.IndexOfAny(new[] { '*', '?' }) >= 0)
        {
            if (!host.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '*' or '?')) return UpstreamEndpointProblem.NotLiteralAddress;
            var rx = new Regex("^" + Regex.Escape(host).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            endpoint = new(name, port, null, rx);
            return UpstreamEndpointProblem.None;
        }
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IsDottedQuad(host)))
            return UpstreamEndpointProblem.NotLiteralAddress;
        endpoint = new(name, port, new[] { Normalize(address) }, null);
        return UpstreamEndpointProblem.None;
    }

    /// <summary>Whether a concrete socket endpoint is this upstream.</summary>
    public bool Matches(IPAddress address, int port)
    {
        if (Port is { } p && p != port) return false;
        var a = Normalize(address);
        if (_addresses is not null) return _addresses.Any(x => x.Equals(a));
        if (_pattern is not null) return _pattern.IsMatch(a.ToString());
        return true;
    }

    /// <summary>
    /// Whether a listener bound to <paramref name="address"/> serves this upstream: a listener on
    /// 0.0.0.0 serves every IPv4 address of the port, one on :: every address (dual stack).
    /// </summary>
    public bool MatchesListener(IPAddress address, int port)
    {
        if (Matches(address, port)) return true;
        if (Port is { } p && p != port) return false;
        if (address.Equals(IPAddress.IPv6Any)) return true;
        if (address.Equals(IPAddress.Any)) return _addresses is null ? _pattern is null || !_pattern.ToString().Contains(':') : _addresses.Any(x => x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return false;
    }

    /// <summary>Whether every address this upstream names is a loopback one (it must then listen on this host).</summary>
    public bool IsLoopback => _addresses is not null && _addresses.All(IPAddress.IsLoopback);

    /// <summary>IPv4-mapped IPv6 as IPv4, so that ::ffff:127.0.0.1 and 127.0.0.1 compare equal.</summary>
    public static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    // IPAddress.TryParse takes "1", "127.1" and the like as IPv4: an upstream host is either dotted or a name.
    private static bool IsDottedQuad(string s) => s.Count(c => c == '.') == 3;

    public override string ToString() => Text;
}
