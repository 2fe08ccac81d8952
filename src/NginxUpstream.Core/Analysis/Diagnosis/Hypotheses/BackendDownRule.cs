using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-DOWN: nothing listened on the upstream address: connect() refused (111), or a unix socket
/// path that did not exist (2) or refused; "no live upstreams" follows once every peer failed.
/// </summary>
public sealed class BackendDownRule : HypothesisRule
{
    public override string Id => "RC-DOWN";
    public override ResetCause Cause => ResetCause.BackendDown;

    private static bool IsRefused(UpstreamError e) =>
        e.Kind == UpstreamErrorKind.Refused || e.ErrnoName is "ECONNREFUSED"
        || e.Phase == UpstreamPhase.ConnectingToUpstream && e.ErrnoName is "ENOENT";

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var refused = ctx.Incident.Errors.Where(IsRefused).ToList();
        var noLive = ctx.Incident.Errors.Count(e => e.Kind == UpstreamErrorKind.NoLiveUpstreams);
        if (refused.Count == 0 && noLive == 0) return null;
        var ev = refused.Take(5).Select(e => Cite(e, e.Time, $"connect() refused: {e.Message} ({e.Errno}: {e.ErrnoText})")).ToList();
        var lifecycle = ctx.BackendEvents.Where(b => b.Kind is BackendEventKind.Shutdown or BackendEventKind.ListenerStarted).ToList();
        ev.AddRange(lifecycle.Select(b => Cite(b, b.Time, $"{b.Backend} {b.Kind}")));
        double score;
        string reason;
        if (refused.Count > 0)
        {
            score = 0.55 + 0.4 * Coverage(refused.Count + noLive, ctx.ErrorCount);
            reason = $"{OfErrors(refused.Count, ctx.ErrorCount)} {Are(refused.Count)} {(refused.Count == 1 ? "a refused connection" : "refused connections")}: nothing listened on {ctx.Incident.Upstream}"
                     + (lifecycle.Count > 0 ? $"; the backend log shows it {(lifecycle.Any(b => b.Kind == BackendEventKind.Shutdown) ? "shutting down" : "")}{(lifecycle.Count > 1 ? " and " : "")}{(lifecycle.Any(b => b.Kind == BackendEventKind.ListenerStarted) ? "starting to listen again" : "")} in the window" : "")
                     + ".";
            if (lifecycle.Count > 0) score += 0.03;
        }
        else
        {
            score = 0.3;
            reason = $"{OfErrors(noLive, ctx.ErrorCount)} {Are(noLive)} \"no live upstreams\": every peer had been marked failed, which points at the failures before them rather than at a cause.";
        }
        return Result(score, reason, ev, refused.Count);
    }
}
