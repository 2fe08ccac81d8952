using System.Text;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Byte-level text helpers: a kernel comm may hold any byte (reference §8.4). Valid UTF-8 is
/// decoded as such; every byte that is not part of valid UTF-8 becomes the Latin-1 character of
/// the same value, so "caf\xe9-proxy" reads as "café-proxy" and nothing is lost.
/// </summary>
internal static class KernelText
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { }
        var sb = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var n = Utf8SequenceLength(bytes[i..]);
            if (n > 0) { sb.Append(StrictUtf8.GetString(bytes.Slice(i, n))); i += n; }
            else { sb.Append((char)bytes[i]); i++; }
        }
        return sb.ToString();
    }

    /// <summary>Length of the valid UTF-8 sequence at the start, or 0 when the first byte does not begin one.</summary>
    private static int Utf8SequenceLength(ReadOnlySpan<byte> s)
    {
        var b = s[0];
        if (b < 0x80) return 1;
        var n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (n == 0 || s.Length < n) return 0;
        for (var k = 1; k < n; k++) if ((s[k] & 0xC0) != 0x80) return 0;
        try { StrictUtf8.GetString(s[..n]); return n; }
        catch (DecoderFallbackException) { return 0; }
    }

    /// <summary>Undoes /dev/kmsg escaping: every byte &lt; 0x20, ≥ 0x7f and '\' is written \xNN.</summary>
    public static string UnescapeKmsg(string text)
    {
        if (!text.Contains("\\x", StringComparison.Ordinal)) return text;
        var bytes = new List<byte>(text.Length);
        Span<byte> buf = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x' && IsHex(text, i + 2) && IsHex(text, i + 3))
            {
                bytes.Add((byte)(HexVal(text[i + 2]) * 16 + HexVal(text[i + 3])));
                i += 3;
                continue;
            }
            var n = Encoding.UTF8.GetBytes(text.AsSpan(i, char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1), buf);
            for (var k = 0; k < n; k++) bytes.Add(buf[k]);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length) i++;
        }
        return Decode(bytes.ToArray());
    }

    private static bool IsHex(string s, int i) => i < s.Length && Uri.IsHexDigit(s[i]);

    private static int HexVal(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
