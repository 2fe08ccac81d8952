using System.Text;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Portable errno names. The number alone is platform-specific (ECONNRESET is 104 on Linux, 54 on
/// BSD/macOS, 10054 on Windows), so the name is taken from the C library's text first (glibc,
/// musl, BSD and Windows wordings, reference/nginx-error-log.md §8), then from the Windows WSA
/// number, then from the Linux number.
/// </summary>
public static class Errnos
{
    private static readonly Dictionary<string, string> ByText = new(StringComparer.Ordinal)
    {
        ["Connection reset by peer"] = "ECONNRESET",
        ["An existing connection was forcibly closed by the remote host"] = "ECONNRESET",
        ["Connection timed out"] = "ETIMEDOUT",
        ["Operation timed out"] = "ETIMEDOUT",
        ["Connection refused"] = "ECONNREFUSED",
        ["No connection could be made because the target machine actively refused it"] = "ECONNREFUSED",
        ["No route to host"] = "EHOSTUNREACH",
        ["Host is unreachable"] = "EHOSTUNREACH",
        ["Broken pipe"] = "EPIPE",
        ["Network is unreachable"] = "ENETUNREACH",
        ["Network unreachable"] = "ENETUNREACH",
        ["Cannot assign requested address"] = "EADDRNOTAVAIL",
        ["Address not available"] = "EADDRNOTAVAIL",
        ["Can't assign requested address"] = "EADDRNOTAVAIL",
        ["Network is down"] = "ENETDOWN",
        ["Host is down"] = "EHOSTDOWN",
        ["Transport endpoint is not connected"] = "ENOTCONN",
        ["Socket not connected"] = "ENOTCONN",
        ["Socket is not connected"] = "ENOTCONN",
        ["Software caused connection abort"] = "ECONNABORTED",
        ["Connection aborted"] = "ECONNABORTED",
        ["Resource temporarily unavailable"] = "EAGAIN",
        ["No such file or directory"] = "ENOENT",
        ["Permission denied"] = "EACCES",
        ["Too many open files"] = "EMFILE",
        ["No file descriptors available"] = "EMFILE",
        ["Too many open files in system"] = "ENFILE",
        ["Address already in use"] = "EADDRINUSE",
        ["Address in use"] = "EADDRINUSE",
        ["Invalid argument"] = "EINVAL",
        ["Bad file descriptor"] = "EBADF",
        ["Operation not permitted"] = "EPERM",
        ["Cannot allocate memory"] = "ENOMEM",
        ["Out of memory"] = "ENOMEM",
        ["No space left on device"] = "ENOSPC",
        ["Message too long"] = "EMSGSIZE",
        ["Protocol error"] = "EPROTO",
        ["Input/output error"] = "EIO",
        ["I/O error"] = "EIO",
        ["Is a directory"] = "EISDIR",
        ["Not a directory"] = "ENOTDIR",
        ["File name too long"] = "ENAMETOOLONG",
        ["Operation now in progress"] = "EINPROGRESS",
        ["Interrupted system call"] = "EINTR",
    };

    private static readonly Dictionary<int, string> Windows = new()
    {
        [10054] = "ECONNRESET", [10061] = "ECONNREFUSED", [10060] = "ETIMEDOUT", [10065] = "EHOSTUNREACH",
        [10051] = "ENETUNREACH", [10050] = "ENETDOWN", [10064] = "EHOSTDOWN", [10053] = "ECONNABORTED",
        [10057] = "ENOTCONN", [10049] = "EADDRNOTAVAIL", [10048] = "EADDRINUSE", [10024] = "EMFILE",
        [10035] = "EAGAIN", [10022] = "EINVAL", [10004] = "EINTR", [10058] = "EPIPE",
    };

    private static readonly Dictionary<int, string> Linux = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [4] = "EINTR", [5] = "EIO", [9] = "EBADF", [11] = "EAGAIN", [12] = "ENOMEM",
        [13] = "EACCES", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE",
        [28] = "ENOSPC", [32] = "EPIPE", [36] = "ENAMETOOLONG", [71] = "EPROTO", [90] = "EMSGSIZE",
        [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL", [100] = "ENETDOWN", [101] = "ENETUNREACH",
        [102] = "ENETRESET", [103] = "ECONNABORTED", [104] = "ECONNRESET", [105] = "ENOBUFS", [107] = "ENOTCONN", [110] = "ETIMEDOUT",
        [111] = "ECONNREFUSED", [112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [115] = "EINPROGRESS",
    };

    /// <summary>
    /// Every name once, by a one-byte id (0: none). Parsed records carry the id, so they hold no
    /// references: the arrays a parallel read hands between threads are then nothing the garbage
    /// collector has to scan.
    /// </summary>
    private static readonly string?[] NameTable =
        new string?[] { null }.Concat(ByText.Values.Concat(Windows.Values).Concat(Linux.Values).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)).ToArray();

    private static readonly Dictionary<string, byte> Ids = NameTable.Skip(1).Select((n, i) => (n!, (byte)(i + 1))).ToDictionary(p => p.Item1, p => p.Item2);

    private static readonly Dictionary<int, (byte[] Text, byte Id)[]> TextKeysByLength =
        ByText.Select(p => (Text: Encoding.ASCII.GetBytes(p.Key), Id: Ids[p.Value])).GroupBy(b => b.Text.Length)
              .ToDictionary(g => g.Key, g => g.ToArray());

    private static readonly Dictionary<int, byte> WindowsIds = Windows.ToDictionary(p => p.Key, p => Ids[p.Value]);
    private static readonly Dictionary<int, byte> LinuxIds = Linux.ToDictionary(p => p.Key, p => Ids[p.Value]);

    /// <summary>ECONNRESET etc. for an errno as nginx logged it (number and text); null when unknown.</summary>
    public static string? Name(int number, string? text)
    {
        if (text is not null && ByText.TryGetValue(text, out var n)) return n;
        if (Windows.TryGetValue(number, out n)) return n;
        return Linux.TryGetValue(number, out n) ? n : null;
    }

    /// <summary>The id of the name for an errno as the parser sees it (number and text bytes; no allocation); 0 when unknown.</summary>
    internal static byte Id(int number, ReadOnlySpan<byte> text)
    {
        if (TextKeysByLength.TryGetValue(text.Length, out var keys))
            foreach (var k in keys)
                if (text.SequenceEqual(k.Text)) return k.Id;
        if (WindowsIds.TryGetValue(number, out var id)) return id;
        return LinuxIds.TryGetValue(number, out id) ? id : (byte)0;
    }

    /// <summary>The name of an <see cref="Id"/>: ECONNRESET..., null for 0.</summary>
    internal static string? NameOf(byte id) => NameTable[id];
}
