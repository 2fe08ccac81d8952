using System.Runtime.CompilerServices;
namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Splits the logged upstream (schema + peer name [+ ":" for unix sockets] + URI) into scheme,
/// address, host, port, socket path and URI. The string is not a URL: unix peers end in ":"
/// before the URI, but timeout lines lose that ":" (nginx frees the peer first), so path and URI
/// run together; for "no live upstreams" the peer is the upstream{} group name.
/// </summary>
internal static class UpstreamAddress
{
    public static void Split(ReadOnlySpan<byte> s, ref ParsedRecord r)
    {
        int a = r.Upstream.Start, b = r.Upstream.End;
        var up = s[a..b];
        int p = a;
        // A scheme is lowercase letters then "://" (as the first "://" of the text).
        int sch = 0;
        while (sch < up.Length && (uint)(up[sch] - 'a') <= 25) sch++;
        if (sch > 0 && up[sch..].StartsWith("://"u8)) { r.UpstreamScheme = new Seg(a, sch); p = a + sch + 3; }
        if (p >= b) return;
        if (s[p..b].StartsWith("unix:"u8))
        {
            int path = p + 5;
            int colon = s[path..b].IndexOf((byte)':');
            int cut;
            if (colon >= 0) cut = path + colon;
            else cut = MergedSocketEnd(s, path, b, ref r);
            r.UpstreamSocket = Seg.FromTo(path, cut);
            r.UpstreamAddress = Seg.FromTo(p, cut);
            int uri = colon >= 0 ? cut + 1 : cut;
            if (uri < b) r.UpstreamUri = Seg.FromTo(uri, b);
            return;
        }
        int hostStart = p, hostEnd, q;
        if (s[p] == '[')
        {
            int close = s[p..b].IndexOf((byte)']');
            if (close < 0) { r.UpstreamAddress = Seg.FromTo(p, b); return; }
            hostStart = p + 1; hostEnd = p + close; q = hostEnd + 1;
        }
        else
        {
            int x = s[p..b].IndexOfAny((byte)':', (byte)'/');
            hostEnd = x < 0 ? b : p + x; q = hostEnd;
        }
        r.UpstreamHost = Seg.FromTo(hostStart, hostEnd);
        if (q < b && s[q] == ':')
        {
            int port = 0, i = q + 1;
            while (i < b && (uint)(s[i] - '0') <= 9 && i - q <= 5) port = port * 10 + (s[i++] - '0');
            if (i > q + 1 && port <= 65535) { r.UpstreamPort = port; q = i; }
        }
        r.UpstreamAddress = Seg.FromTo(p, q);
        if (q < b) r.UpstreamUri = Seg.FromTo(q, b);
    }

    /// <summary>
    /// Where the socket path ends when nginx dropped the ":" before the URI: before the request's
    /// URI when the merged text ends with it, else after a ".sock" component, else at the end.
    /// </summary>
    private static int MergedSocketEnd(ReadOnlySpan<byte> s, int path, int b, ref ParsedRecord r)
    {
        var merged = s[path..b];
        if (r.UpstreamScheme.Present)
        {
            if (r.Uri.Present && r.Uri.Length > 0 && r.Uri.Length < merged.Length && merged.EndsWith(r.Uri.Of(s)))
                return b - r.Uri.Length;
            int sock = merged.IndexOf(".sock/"u8);
            if (sock >= 0) return path + sock + 5;
        }
        return b;
    }
}
