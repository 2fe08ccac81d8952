using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>A burst of connection errors toward one upstream peer, in time order.</summary>
public sealed class Incident
{
    public Incident(string upstream, List<UpstreamError> errors)
    {
        Upstream = upstream;
        Errors = errors;
        Times = errors.Select(e => e.Time.UtcTicks).ToArray();
    }

    public string Upstream { get; }
    public IReadOnlyList<UpstreamError> Errors { get; }
    /// <summary>UTC ticks of <see cref="Errors"/>, for binary search.</summary>
    internal long[] Times { get; }
    public DateTimeOffset Start => Errors[0].Time;
    public DateTimeOffset End => Errors[^1].Time;

    /// <summary>How many errors lie within [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public int CountBetween(DateTimeOffset from, DateTimeOffset to, Func<UpstreamError, bool>? filter = null)
    {
        var lo = LowerBound(Times, from.UtcTicks);
        var hi = LowerBound(Times, to.UtcTicks + 1);
        if (filter is null) return hi - lo;
        var n = 0;
        for (var i = lo; i < hi; i++) if (filter(Errors[i])) n++;
        return n;
    }

    internal static int LowerBound(long[] a, long v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
