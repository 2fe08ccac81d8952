using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-NETWORK: the path, not the backend: unreachable host or network, or resets toward a remote
/// peer that no backend-side record explains (a firewall, conntrack or load balancer dropping the
/// flow). Only the unreachable errnos are strong; the rest stays below the Unknown threshold.
/// </summary>
public sealed class NetworkResetRule : HypothesisRule
{
    public override string Id => "RC-NETWORK";
    public override ResetCause Cause => ResetCause.NetworkReset;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var unreachable = ctx.Incident.Errors.Where(e => e.Kind == UpstreamErrorKind.Unreachable || e.ErrnoName is "EHOSTUNREACH" or "ENETUNREACH" or "EHOSTDOWN" or "ENETDOWN").ToList();
        if (unreachable.Count > 0)
        {
            var ev = unreachable.Take(5).Select(e => Cite(e, e.Time, $"{e.Message} ({e.Errno}: {e.ErrnoText})")).ToList();
            return Result(0.55 + 0.4 * Coverage(unreachable.Count, ctx.ErrorCount),
                $"{OfErrors(unreachable.Count, ctx.ErrorCount)} {(unreachable.Count == 1 ? "says" : "say")} the network path to {ctx.Incident.Upstream} was unreachable.", ev, unreachable.Count);
        }
        if (IsLocal(ctx.Incident.Upstream)) return null;
        var resets = ctx.Incident.Errors.Where(e => e.Kind == UpstreamErrorKind.Reset || e.ErrnoName == "ECONNRESET").ToList();
        if (resets.Count == 0) return null;
        var unexplained = resets.Count - ctx.ErrorsNearAny(ctx.DeathTimes, e => e.Kind == UpstreamErrorKind.Reset || e.ErrnoName == "ECONNRESET");
        if (unexplained == 0) return null;
        var evr = resets.Take(3).Select(e => Cite(e, e.Time, $"{e.Message} ({e.Errno}: {e.ErrnoText}) {e.Action}")).ToList();
        return Result(0.25 + 0.15 * Coverage(unexplained, ctx.ErrorCount),
            $"{OfErrors(unexplained, ctx.ErrorCount)} {Are(unexplained)} {(unexplained == 1 ? "a reset" : "resets")} from the remote peer {ctx.Incident.Upstream} that nothing on the backend side explains; a middlebox between the hosts can send them.", evr, unexplained);
    }

    private static bool IsLocal(string peer) =>
        peer.StartsWith("127.", StringComparison.Ordinal) || peer.StartsWith("[::1]", StringComparison.Ordinal) || peer.StartsWith("localhost", StringComparison.OrdinalIgnoreCase)
        || peer.StartsWith("unix:", StringComparison.Ordinal) || peer.StartsWith('/');
}
