using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-SLOW: nginx gave up waiting (110, "upstream timed out") while the backend was alive: the
/// proxy_read_timeout is shorter than the slowest requests, or the backend is saturated. A connect
/// timeout is weaker: a full listen backlog or a network drop look the same.
/// </summary>
public sealed class BackendSlowRule : HypothesisRule
{
    public override string Id => "RC-SLOW";
    public override ResetCause Cause => ResetCause.BackendSlow;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var timedOut = ctx.Incident.Errors.Where(e => e.Kind == UpstreamErrorKind.TimedOut || e.ErrnoName == "ETIMEDOUT").ToList();
        if (timedOut.Count == 0) return null;
        var reading = timedOut.Count(e => e.Phase != UpstreamPhase.ConnectingToUpstream);
        var connecting = timedOut.Count - reading;
        var ev = timedOut.Take(5).Select(e => Cite(e, e.Time, $"{e.Method ?? "-"} {e.Uri}: upstream timed out {e.Action}")).ToList();
        var saturation = ctx.BackendEvents.Where(b => b.Kind == BackendEventKind.MaxChildrenReached).ToList();
        ev.AddRange(saturation.Select(b => Cite(b, b.Time, $"{b.Backend}: all workers busy ({b.Detail ?? b.Kind.ToString()})")));
        var score = 0.5 + 0.45 * Coverage(reading, ctx.ErrorCount) + 0.25 * Coverage(connecting, ctx.ErrorCount) + (saturation.Count > 0 ? 0.05 : 0);
        var reason = $"{OfErrors(timedOut.Count, ctx.ErrorCount)} {Are(timedOut.Count)} {(timedOut.Count == 1 ? "an nginx timeout" : "nginx timeouts")} (110){(connecting > 0 ? $", {connecting} while connecting" : "")}: the backend was too slow to answer"
                     + (saturation.Count > 0 ? ", and it reported all workers busy." : ".");
        return Result(score, reason, ev, timedOut.Count);
    }
}
