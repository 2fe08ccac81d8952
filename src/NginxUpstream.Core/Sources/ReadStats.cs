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
    public IReadOnlyDictionary<string, long> Skipped => _skipped;
    public long SkippedTotal => _skipped.Values.Sum();

    public void Skip(string reason, long count = 1)
    {
        _skipped.TryGetValue(reason, out var n);
        _skipped[reason] = n + count;
    }

    public void Add(ReadStats other)
    {
        LinesRead += other.LinesRead;
        BytesRead += other.BytesRead;
        RecordsEmitted += other.RecordsEmitted;
        foreach (var (k, v) in other._skipped) Skip(k, v);
    }

    /// <summary>"12 lines read, 3 records, 2 skipped (1 no timestamp, 1 not a kernel line)".</summary>
    public override string ToString()
    {
        var s = $"{LinesRead} lines read, {RecordsEmitted} records emitted, {SkippedTotal} skipped";
        if (_skipped.Count > 0)
            s += " (" + string.Join(", ", _skipped.OrderByDescending(p => p.Value).Select(p => $"{p.Value} {p.Key}")) + ")";
        return s;
    }
}
