using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// Picks the upstream connection failures out of error.log records and groups them per upstream
/// peer into bursts: a quiet gap longer than <see cref="DiagnosisOptions.BurstGap"/> ends one.
/// </summary>
public static class IncidentGrouper
{
    private static readonly HashSet<string> FailureErrnos = new(StringComparer.Ordinal)
    {
        "ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "ECONNABORTED",
    };

    /// <summary>True for the records Find-ResetCause diagnoses: upstream-side connection failures.</summary>
    public static bool IsConnectionFailure(UpstreamError e)
    {
        if (e.Side == ErrorSide.Client) return false;
        return e.Kind switch
        {
            UpstreamErrorKind.Reset or UpstreamErrorKind.PrematureClose or UpstreamErrorKind.Refused
                or UpstreamErrorKind.TimedOut or UpstreamErrorKind.NoLiveUpstreams or UpstreamErrorKind.BrokenPipe
                or UpstreamErrorKind.Unreachable or UpstreamErrorKind.ConnectFailed => true,
            UpstreamErrorKind.ClientClosed or UpstreamErrorKind.ClientTimedOut or UpstreamErrorKind.BodyBuffered
                or UpstreamErrorKind.ResponseBuffered => false,
            // writev() failed (32: Broken pipe), connect() to unix:... failed (2: No such file...), ...
            _ => e.Upstream is not null && (e.ErrnoName is not null && FailureErrnos.Contains(e.ErrnoName)
                 || e.Phase == UpstreamPhase.ConnectingToUpstream && e.Errno is not null),
        };
    }

    /// <summary>The key errors are grouped by: the peer address, else the logged upstream, else the server.</summary>
    public static string UpstreamKey(UpstreamError e) =>
        e.UpstreamAddress ?? e.Upstream ?? (e.Server is { Length: > 0 } s ? "server " + s : "(no upstream)");

    public static List<Incident> Group(IEnumerable<UpstreamError> errors, TimeSpan gap, CancellationToken cancel = default)
    {
        var byUpstream = new Dictionary<string, List<UpstreamError>>(StringComparer.Ordinal);
        foreach (var e in errors)
        {
            if (!IsConnectionFailure(e)) continue;
            var key = UpstreamKey(e);
            if (!byUpstream.TryGetValue(key, out var list)) byUpstream[key] = list = new List<UpstreamError>();
            list.Add(e);
        }
        var result = new List<Incident>();
        foreach (var (key, list) in byUpstream)
        {
            cancel.ThrowIfCancellationRequested();
            // Stable: lines with the same second keep their log order. Logs are mostly in order already.
            var sorted = list;
            var inOrder = true;
            for (var i = 1; i < list.Count && inOrder; i++) inOrder = list[i - 1].Time.UtcTicks <= list[i].Time.UtcTicks;
            if (!inOrder)
            {
                var keys = new (long t, int i)[list.Count];
                for (var i = 0; i < keys.Length; i++) keys[i] = (list[i].Time.UtcTicks, i);
                Array.Sort(keys);
                sorted = new List<UpstreamError>(list.Count);
                foreach (var k in keys) sorted.Add(list[k.i]);
            }
            var start = 0;
            for (var i = 1; i <= sorted.Count; i++)
            {
                if (i < sorted.Count && sorted[i].Time - sorted[i - 1].Time <= gap) continue;
                result.Add(new Incident(key, sorted.GetRange(start, i - start)));
                start = i;
            }
        }
        result.Sort((a, b) => a.Start.UtcTicks != b.Start.UtcTicks ? a.Start.UtcTicks.CompareTo(b.Start.UtcTicks) : string.CompareOrdinal(a.Upstream, b.Upstream));
        return result;
    }
}
