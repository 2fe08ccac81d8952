using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace NginxUpstream.Parsing;

/// <summary>
/// Turns field bytes into strings. Low-cardinality fields (an error log's client, server, host,
/// action; a config's directive names and common values) go through a small direct-mapped cache,
/// so a million records share a handful of strings and the collector has less to do. By default
/// bytes that are not valid UTF-8 are decoded as Latin-1, so every byte survives as one char
/// (U+0000-U+00FF) instead of becoming U+FFFD; <c>latin1Fallback: false</c> decodes as UTF-8
/// with replacement, as nginx's own tools show config text.
/// </summary>
internal sealed class StringPool(bool latin1Fallback = true)
{
    private const int Slots = 4096;
    private const int MaxPooled = 96;
    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string?[] _values = new string[Slots];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Decode(ReadOnlySpan<byte> b)
    {
        if (b.IsEmpty) return "";
        if (Ascii.IsValid(b) || !Utf8.IsValid(b)) return Encoding.Latin1.GetString(b);
        return Encoding.UTF8.GetString(b);
    }

    /// <summary>
    /// A cheap slot: the first and last 8 bytes and the length, multiplied and folded (a collision
    /// only costs a miss, since the key is compared in full). HashCode.AddBytes cost ~6 % of a read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ReadOnlySpan<byte> b)
    {
        ulong a, z;
        if (b.Length >= 8)
        {
            a = BinaryPrimitives.ReadUInt64LittleEndian(b);
            z = BinaryPrimitives.ReadUInt64LittleEndian(b[^8..]);
        }
        else
        {
            a = 0;
            foreach (var x in b) a = (a << 8) | x;
            z = 0;
        }
        var h = (a * 0x9E3779B97F4A7C15UL) ^ (z * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)b.Length * 0x165667B19E3779F9UL);
        return (int)((h ^ (h >> 29) ^ (h >> 47)) % Slots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<byte> b)
    {
        if (b.Length > MaxPooled) return latin1Fallback ? Decode(b) : Encoding.UTF8.GetString(b);
        var slot = Slot(b);
        var k = _keys[slot];
        if (k is not null && b.SequenceEqual(k)) return _values[slot]!;
        var s = latin1Fallback ? Decode(b) : Encoding.UTF8.GetString(b);
        _keys[slot] = b.ToArray();
        _values[slot] = s;
        return s;
    }
}
