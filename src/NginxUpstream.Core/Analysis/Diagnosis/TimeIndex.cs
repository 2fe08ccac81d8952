namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>Records sorted by time for range queries; records without a time are kept apart.</summary>
internal sealed class TimeIndex<T>
{
    private readonly T[] _items;
    private readonly long[] _ticks;

    public TimeIndex(IEnumerable<T> items, Func<T, DateTimeOffset?> time)
    {
        var timed = new List<(long t, T item)>();
        var untimed = new List<T>();
        foreach (var i in items)
        {
            if (time(i) is { } t) timed.Add((t.UtcTicks, i));
            else untimed.Add(i);
        }
        timed.Sort((a, b) => a.t.CompareTo(b.t));
        _items = timed.Select(x => x.item).ToArray();
        _ticks = timed.Select(x => x.t).ToArray();
        Untimed = untimed;
    }

    public int Count => _items.Length;
    public IReadOnlyList<T> Untimed { get; }

    /// <summary>Records with a time in [from, to].</summary>
    public IEnumerable<T> Between(DateTimeOffset from, DateTimeOffset to)
    {
        var lo = Incident.LowerBound(_ticks, from.UtcTicks);
        var hi = Incident.LowerBound(_ticks, to.UtcTicks + 1);
        for (var i = lo; i < hi; i++) yield return _items[i];
    }
}
