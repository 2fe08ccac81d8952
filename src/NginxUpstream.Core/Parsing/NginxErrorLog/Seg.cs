namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>A slice of the record's bytes (start, length); <see cref="None"/> when the field is absent.</summary>
internal readonly record struct Seg(int Start, int Length)
{
    public static readonly Seg None = new(-1, 0);
    public bool Present => Start >= 0;
    public int End => Start + Length;
    public static Seg FromTo(int start, int end) => new(start, end - start);
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> s) => Start < 0 ? default : s.Slice(Start, Length);
}
