using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-BODY: the backend refused a large request body by closing (RST) instead of answering 413.
/// The strong tie is nginx's own "a client request body is buffered to a temporary file" warning
/// on the same *N connection just before the error; a reset while still sending the request
/// body is a weaker sign.
/// </summary>
public sealed class RequestBodyRejectedRule : HypothesisRule
{
    public override string Id => "RC-BODY";
    public override ResetCause Cause => ResetCause.RequestBodyRejected;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var ev = new List<DiagnosisEvidence>();
        var tied = 0;
        foreach (var (err, warn) in ctx.BodyTies)
        {
            if (!IncidentContext.IsAbruptClose(err)) continue;
            tied++;
            if (ev.Count < 20)
            {
                ev.Add(Cite(warn, warn.Time, $"*{warn.ConnectionId}: request body buffered to a temporary file (large body)"));
                ev.Add(Cite(err, err.Time, $"*{err.ConnectionId}: {err.Message}{(err.Errno is null ? "" : $" ({err.Errno}: {err.ErrnoText})")} on the same connection"));
            }
        }
        var sending = ctx.Incident.Errors.Count(e => e.Phase == UpstreamPhase.SendingRequestToUpstream && IncidentContext.IsAbruptClose(e)
                                                       && e.Method is "POST" or "PUT" or "PATCH");
        var rejected = ctx.BackendEvents.Where(b => b.Kind == BackendEventKind.BodyRejected).ToList();
        ev.AddRange(rejected.Select(b => Cite(b, b.Time, $"{b.Backend} rejected a request body{(b.Detail is null ? "" : ": " + b.Detail)}")));
        var limits = ctx.ConfigFindings.Where(f => f.RuleId.StartsWith("BODY", StringComparison.Ordinal)).ToList();
        ev.AddRange(limits.Select(Cite));
        if (tied == 0 && sending == 0 && rejected.Count == 0) return null;

        double score;
        string reason;
        if (tied > 0)
        {
            score = 0.6 + 0.35 * Coverage(tied, ctx.ErrorCount);
            reason = $"{OfErrors(tied, ctx.ErrorCount)} came on a connection whose request body nginx had just buffered to a temporary file (same *N), so the backend closed on a large body.";
        }
        else if (sending > 0)
        {
            score = 0.3 + 0.2 * Coverage(sending, ctx.ErrorCount);
            reason = $"{OfErrors(sending, ctx.ErrorCount)} broke while nginx was still sending a request body, which a backend refusing large bodies causes.";
        }
        else
        {
            score = 0.35;
            reason = "The backend logged rejected request bodies in the window.";
        }
        if (rejected.Count > 0 && tied + sending > 0) score += 0.05;
        if (limits.Count > 0) score += 0.05;
        // A worker that died mid-upload also leaves a buffered body behind: deaths weigh against.
        var deaths = ctx.ErrorsNearAny(ctx.DeathTimes);
        score -= 0.4 * Coverage(deaths, ctx.ErrorCount);
        return Result(score, reason, ev, Math.Max(tied, sending));
    }
}
