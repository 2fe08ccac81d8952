using System.Text;
using System.Text.Unicode;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Turns field bytes into strings. Low-cardinality fields (client, server, host, action, errno
/// text...) go through a small direct-mapped cache so a million records share a handful of
/// strings. Bytes that are not valid UTF-8 are decoded as Latin-1, so every byte survives as
/// one char (U+0000-U+00FF) instead of becoming U+FFFD.
/// </summary>
internal sealed class StringPool
{
    private const int Slots = 4096;
    private const int MaxPooled = 96;
    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string?[] _values = new string[Slots];

    public static string Decode(ReadOnlySpan<byte> b)
    {
        if (b.IsEmpty) return "";
        if (Ascii.IsValid(b) || !Utf8.IsValid(b)) return Encoding.Latin1.GetString(b);
        return Encoding.UTF8.GetString(b);
    }

    public string Get(ReadOnlySpan<byte> b)
    {
        if (b.Length > MaxPooled) return Decode(b);
        var h = new HashCode();
        h.AddBytes(b);
        var slot = (int)((uint)h.ToHashCode() % Slots);
        var k = _keys[slot];
        if (k is not null && b.SequenceEqual(k)) return _values[slot]!;
        var s = Decode(b);
        _keys[slot] = b.ToArray();
        _values[slot] = s;
        return s;
    }
}
