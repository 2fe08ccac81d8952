using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.ProcNetTcp;

/// <summary>One parsed line of /proc/net/tcp{,6}, before roles and owners are known.</summary>
internal sealed class ProcTcpEntry
{
    public required SocketFamily Family;
    public required IPAddress Local, Remote;
    public required int LocalPort, RemotePort;
    public required TcpState State;
    public required long TxQueue, RxQueue;
    public required int Retransmits, Uid;
    public required long Inode;
    public required string Source, Line;
    public required long LineNumber;
}

/// <summary>
/// Parser of the kernel's /proc/net/tcp and /proc/net/tcp6 text (net/ipv4/tcp_ipv4.c
/// tcp4_seq_show, net/ipv6/tcp_ipv6.c tcp6_seq_show): a header line, then one line a socket,
/// <c>sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...</c>.
/// Addresses are the in-memory (network order) address words printed with %08X as host-order
/// integers: on little-endian hosts 127.0.0.1 is 0100007F; IPv6 is four such words. Ports and the
/// state are plain hex; uid, timeout and inode decimal. Lines the kernel pads with spaces to a
/// fixed width; TIME_WAIT and request lines carry fewer trailing fields, which are not read.
/// </summary>
internal static class ProcNetTcpParser
{
    public const string ReasonTooFewFields = "too few fields";
    public const string ReasonBadAddress = "bad address";
    public const string ReasonBadNumber = "bad number";

    /// <summary>Parses one line; null for the header and blank lines (not counted) and for bad lines (counted in <paramref name="stats"/>).</summary>
    public static ProcTcpEntry? Parse(string line, SocketFamily family, string source, long lineNumber, ReadStats stats, bool littleEndian)
    {
        var s = line.AsSpan();
        Span<Range> f = stackalloc Range[11];
        int n = Split(s, f);
        if (n == 0) return null;
        if (s[f[0]].SequenceEqual("sl")) return null; // the header
        if (n < 10) { stats.Skip(ReasonTooFewFields); return null; }

        if (!s[f[0]].EndsWith(":")
            || !TryEndpoint(s[f[1]], family, littleEndian, out var local, out var lport)
            || !TryEndpoint(s[f[2]], family, littleEndian, out var remote, out var rport))
        { stats.Skip(ReasonBadAddress); return null; }

        var queues = s[f[4]];
        int colon = queues.IndexOf(':');
        if (!TryHex(s[f[3]], out var st) || colon < 0
            || !TryHex(queues[..colon], out var tx) || !TryHex(queues[(colon + 1)..], out var rx)
            || !TryHex(s[f[6]], out var retr)
            || !long.TryParse(s[f[7]], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !long.TryParse(s[f[9]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        { stats.Skip(ReasonBadNumber); return null; }

        return new ProcTcpEntry
        {
            Family = family, Local = local, LocalPort = lport, Remote = remote, RemotePort = rport,
            State = (TcpState)st, TxQueue = tx, RxQueue = rx, Retransmits = (int)retr, Uid = (int)uid, Inode = inode,
            Source = source, Line = line.TrimEnd(), LineNumber = lineNumber,
        };
    }

    /// <summary>Splits on spaces into at most <paramref name="fields"/>.Length fields.</summary>
    private static int Split(ReadOnlySpan<char> s, Span<Range> fields)
    {
        int n = 0, i = 0;
        while (n < fields.Length)
        {
            while (i < s.Length && s[i] == ' ') i++;
            if (i >= s.Length) break;
            int start = i;
            while (i < s.Length && s[i] != ' ') i++;
            fields[n++] = start..i;
        }
        return n;
    }

    private static bool TryEndpoint(ReadOnlySpan<char> text, SocketFamily family, bool littleEndian, out IPAddress address, out int port)
    {
        address = IPAddress.None;
        port = 0;
        int words = family == SocketFamily.IPv4 ? 1 : 4;
        if (text.Length != words * 8 + 5 || text[words * 8] != ':') return false;
        if (!TryHex(text[(words * 8 + 1)..], out var p)) return false;
        Span<byte> bytes = stackalloc byte[16];
        for (int w = 0; w < words; w++)
        {
            if (!uint.TryParse(text.Slice(w * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)) return false;
            // The kernel printed the address word as a host-order integer: write it back in host order.
            if (littleEndian) BinaryPrimitives.WriteUInt32LittleEndian(bytes.Slice(w * 4, 4), v);
            else BinaryPrimitives.WriteUInt32BigEndian(bytes.Slice(w * 4, 4), v);
        }
        address = new IPAddress(bytes[..(words * 4)]);
        port = (int)p;
        return true;
    }

    private static bool TryHex(ReadOnlySpan<char> s, out long value) =>
        long.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0;
}
