namespace NginxUpstream.Parsing;

/// <summary>
/// Splits an address as operators and nginx write it: "[IPv6]:port", "[IPv6]", "host:port", a
/// host alone, or a bare IPv6 address (two or more colons: no port). What the parts must be
/// (a literal address, a resolvable name, a port range) is the caller's rule.
/// </summary>
internal static class HostPort
{
    /// <summary>False when the brackets are malformed (no ']', or text after it other than ":port").</summary>
    public static bool TrySplit(string text, out string host, out string? portText)
    {
        portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0) { host = ""; return false; }
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length == 0) return true;
            if (rest[0] != ':') return false;
            portText = rest[1..];
            return true;
        }
        int colon = text.IndexOf(':');
        if (colon >= 0 && text.IndexOf(':', colon + 1) < 0) { host = text[..colon]; portText = text[(colon + 1)..]; }
        else host = text;
        return true;
    }
}
