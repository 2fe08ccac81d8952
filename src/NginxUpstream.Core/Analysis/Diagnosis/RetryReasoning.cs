using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// What the clients got, by method. nginx retries a request after an error on a cached keepalive
/// connection, and on another server when the upstream has several, but never a POST, PATCH or
/// LOCK that was already sent (reference/nginx-config.md §2.3). error.log shows a retry that also
/// failed as a second error for the same *N and request line; a retry that worked leaves no line.
/// </summary>
public static class RetryReasoning
{
    public static AffectedRequests[] Affected(IncidentContext ctx, ResetCause cause)
    {
        var errs = ctx.Incident.Errors;
        var servers = ctx.UpstreamDirectives?.Block?.Count(d => d.Name == "server") ?? 1;
        var counts = new Dictionary<(string method, string status), int>();
        var retried = RetriedAttempts(errs);
        for (var i = 0; i < errs.Count; i++)
        {
            var e = errs[i];
            var method = e.Method ?? "-";
            string status;
            if (retried[i]) status = "retried";
            else if (e.Kind == UpstreamErrorKind.TimedOut || e.ErrnoName == "ETIMEDOUT") status = "504";
            else if (!IncidentContext.IsNonIdempotent(e.Method) && e.Method is not null && IncidentContext.IsAbruptClose(e)
                     && (cause == ResetCause.StaleKeepalive || servers > 1))
                status = "retried";
            else status = "502";
            counts[(method, status)] = counts.GetValueOrDefault((method, status)) + 1;
        }
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.method, StringComparer.Ordinal)
            .Select(kv => new AffectedRequests { Method = kv.Key.method, Status = kv.Key.status, Count = kv.Value }).ToArray();
    }

    /// <summary>
    /// Marks attempts that the same request (same *N and request line) followed with another
    /// failure within 2 s: nginx retried them. One backward pass, linear in the errors.
    /// </summary>
    private static bool[] RetriedAttempts(IReadOnlyList<UpstreamError> errs)
    {
        var result = new bool[errs.Count];
        var later = new Dictionary<(long, string?), DateTimeOffset>();
        for (var i = errs.Count - 1; i >= 0; i--)
        {
            var e = errs[i];
            if (e.ConnectionId is not long id) continue;
            var key = (id, e.Request);
            if (later.TryGetValue(key, out var t) && t - e.Time <= TimeSpan.FromSeconds(2)) result[i] = true;
            later[key] = e.Time;
        }
        return result;
    }
}
