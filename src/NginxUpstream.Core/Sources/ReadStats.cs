namespace NginxUpstream.Sources;

/// <summary>
/// Accounting of one read: what cmdlets report with -Verbose. Parsers increment
/// <see cref="Skip"/> with a short reason ("no timestamp", "not a kernel line", ...).
/// </summary>
public sealed class ReadStats
{
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);

    public long LinesRead { get; set; }
    public long BytesRead { get; set; }
    public long RecordsEmitted { get; set; }
    public IReadOnlyDictionary<string, long> Skipped { get { Flush(); return _skipped; } }
    public long SkippedTotal => Skipped.Values.Sum();

    // Readers skip millions of lines for the same reason in a row ("not upstream-related"): the
    // current reason is counted in a field, not hashed into the dictionary every time.
    private string? _hotReason;
    private long _hotCount;

    public void Skip(string reason, long count = 1)
    {
        if (ReferenceEquals(reason, _hotReason)) { _hotCount += count; return; }
        Flush();
        _hotReason = reason;
        _hotCount = count;
    }

    private void Flush()
    {
        if (_hotReason is null) return;
        _skipped.TryGetValue(_hotReason, out var n);
        _skipped[_hotReason] = n + _hotCount;
        _hotReason = null;
        _hotCount = 0;
    }

    public void Add(ReadStats other)
    {
        LinesRead += other.LinesRead;
        BytesRead += other.BytesRead;
        RecordsEmitted += other.RecordsEmitted;
        foreach (var (k, v) in other.Skipped) Skip(k, v);
    }

    /// <summary>"12 lines read, 3 records, 2 skipped (1 no timestamp, 1 not a kernel line)".</summary>
    public override string ToString()
    {
        var s = $"{LinesRead} lines read, {RecordsEmitted} records emitted, {SkippedTotal} skipped";
        if (Skipped.Count > 0)
            s += " (" + string.Join(", ", _skipped.OrderByDescending(p => p.Value).Select(p => $"{p.Value} {p.Key}")) + ")";
        return s;
    }
}
