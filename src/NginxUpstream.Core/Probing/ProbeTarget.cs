using System.Globalization;
using System.Net;
using NginxUpstream.Parsing;

namespace NginxUpstream.Probing;

/// <summary>Why an -Upstream value cannot be probed.</summary>
public enum ProbeTargetProblem { None, Empty, Https, UnsupportedScheme, BadPort, Malformed }

/// <summary>
/// Where to send the probe: host:port, [v6]:port, a host alone (port 80, as nginx's `server`
/// directive), http://authority/path (the path is kept for the request), or unix:/path.
/// </summary>
public sealed class ProbeTarget
{
    /// <summary>The upstream as written, trimmed.</summary>
    public string Text { get; private init; } = "";
    /// <summary>A name or IP literal (without brackets); null for a unix socket.</summary>
    public string? Host { get; private init; }
    public int Port { get; private init; }
    public string? UnixPath { get; private init; }
    /// <summary>The path of a URL's request target, when the upstream was a URL with one.</summary>
    public string? UrlPath { get; private init; }

    /// <summary>One key per endpoint, so that many URLs of one upstream are probed once.</summary>
    public string Key => UnixPath is not null ? "unix:" + UnixPath : $"{Authority.ToLowerInvariant()}";

    /// <summary>host:port as the Host header writes it ([v6]:port).</summary>
    public string Authority => UnixPath is not null ? "localhost"
        : (Host!.Contains(':') ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public static ProbeTargetProblem TryParse(string? text, out ProbeTarget? target)
    {
        target = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return ProbeTargetProblem.Empty;
        string? urlPath = null;
        int scheme = t.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var s = t[..scheme].ToLowerInvariant();
            if (s == "https") return ProbeTargetProblem.Https;
            if (s != "http") return ProbeTargetProblem.UnsupportedScheme;
            var rest = t[(scheme + 3)..];
            // nginx writes unix upstreams as http://unix:/run/app.sock:/uri in its error log.
            if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
            {
                var p = rest[5..];
                int sep = p.IndexOf(":/", StringComparison.Ordinal);
                if (sep > 0) { urlPath = p[(sep + 1)..]; p = p[..sep]; }
                return Unix(t, p, urlPath, out target);
            }
            int slash = rest.IndexOfAny(new[] { '/', '?' });
            if (slash >= 0) { urlPath = rest[slash] == '/' ? rest[slash..] : "/" + rest[slash..]; rest = rest[..slash]; }
            if (rest.Contains('@')) return ProbeTargetProblem.Malformed;
            t = rest;
        }
        else if (t.StartsWith("unix:", StringComparison.OrdinalIgnoreCase)) return Unix(t, t[5..], null, out target);
        if (t.Length == 0) return ProbeTargetProblem.Malformed;

        if (!HostPort.TrySplit(t, out var host, out var portText)) return ProbeTargetProblem.Malformed;
        if (t.StartsWith('['))
        {
            if (!IPAddress.TryParse(host, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return ProbeTargetProblem.Malformed;
        }
        else if (portText is null && host.Contains(':') && !IPAddress.TryParse(host, out _)) return ProbeTargetProblem.Malformed; // colons, yet not an IPv6 address
        if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '%')) return ProbeTargetProblem.Malformed;
        int port = 80;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            return ProbeTargetProblem.BadPort;
        target = new ProbeTarget { Text = text!.Trim(), Host = host, Port = port, UrlPath = urlPath };
        return ProbeTargetProblem.None;
    }

    private static ProbeTargetProblem Unix(string text, string path, string? urlPath, out ProbeTarget? target)
    {
        target = null;
        if (path.Length == 0 || path[0] != '/') return ProbeTargetProblem.Malformed;
        target = new ProbeTarget { Text = text, UnixPath = path, UrlPath = urlPath };
        return ProbeTargetProblem.None;
    }

    public override string ToString() => UnixPath is not null ? "unix:" + UnixPath : Authority;
}
