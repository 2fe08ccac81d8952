namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// A slice of the record's bytes (start, length). <c>default</c> is "absent" (the start is stored
/// plus one), so clearing a record is a plain zeroing.
/// </summary>
internal readonly struct Seg
{
    private readonly int _start1;
    public readonly int Length;

    public Seg(int start, int length) { _start1 = start + 1; Length = length; }

    public static readonly Seg None = default;
    public int Start => _start1 - 1;
    public bool Present => _start1 > 0;
    public int End => Start + Length;
    public static Seg FromTo(int start, int end) => new(start, end - start);
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> s) => _start1 <= 0 ? default : s.Slice(_start1 - 1, Length);
}
