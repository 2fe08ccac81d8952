using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-KEEPALIVE: nginx reused a cached upstream connection the backend had already closed when
/// idle. Evidence: resets or premature closes on the header/request phase with no backend death
/// near them (only meaningful when the kernel or backend log was read), the config saying the
/// upstream keepalive_timeout outlives the backend's idle timeout (KA-IDLE), and the method
/// pattern: idempotent requests are retried by nginx on a fresh connection, POST/PATCH/LOCK are not.
/// </summary>
public sealed class StaleKeepaliveRule : HypothesisRule
{
    public override string Id => "RC-KEEPALIVE";
    public override ResetCause Cause => ResetCause.StaleKeepalive;

    private static bool IsReuseFailure(UpstreamError e) =>
        IncidentContext.IsAbruptClose(e) && e.Phase is UpstreamPhase.ReadingResponseHeaderFromUpstream or UpstreamPhase.SendingRequestToUpstream;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var reuse = ctx.Incident.Errors.Where(IsReuseFailure).ToList();
        if (reuse.Count == 0) return null;
        var ev = new List<DiagnosisEvidence>();
        var parts = new List<string>();
        var score = 0.3;

        var nearDeath = ctx.ErrorsNearAny(ctx.DeathTimes, IsReuseFailure);
        var bodyTied = reuse.Count(e => ctx.BodyTies.ContainsKey(e));
        var unexplained = reuse.Count - nearDeath - bodyTied;
        // Elimination counts only for the logs that were actually read.
        var logsRead = (ctx.Evidence.KernelLogRead ? 1 : 0) + (ctx.Evidence.BackendLogRead ? 1 : 0);
        if (logsRead > 0)
        {
            if (nearDeath == 0 && bodyTied == 0)
            {
                score += 0.1 * logsRead;
                parts.Add($"the {Sources(ctx)} read show{(Sources(ctx).EndsWith("logs") ? "" : "s")} no backend death or large body near them");
            }
            else if (unexplained > 0) score += 0.05 * logsRead * Coverage(unexplained, reuse.Count);
        }

        var idle = ctx.ConfigFindings.Where(f => f.RuleId is "KA-IDLE" or "KA-REQS").ToList();
        var idleUnknown = ctx.ConfigFindings.Where(f => f.RuleId is "KA-IDLE-UNKNOWN" or "UP-FAILS" or "NU-NOERROR").ToList();
        if (idle.Count > 0)
        {
            score += 0.35;
            parts.Add($"the config check found {idle[0].RuleId} on upstream {idle[0].Upstream} ({idle[0].Title})");
        }
        else if (idleUnknown.Count > 0 || HasKeepalive(ctx.UpstreamDirectives))
        {
            score += 0.12;
            parts.Add(idleUnknown.Count > 0 ? $"{idleUnknown[0].RuleId}: {idleUnknown[0].Title}" : $"upstream {ctx.UpstreamBlock} caches connections (keepalive)");
        }
        else if (ctx.Evidence.ConfigRead) score -= 0.1; // the config was read and shows no keepalive risk here
        ev.AddRange(idle.Concat(idleUnknown).Select(Cite));
        if (ctx.UpstreamDirectives?.Block?.FirstOrDefault(d => d.Name == "keepalive") is { } ka)
            ev.Add(new DiagnosisEvidence { Kind = nameof(NginxDirective), Source = ka.File, LineNumber = ka.Line, Citation = $"{ka.File}:{ka.Line}", Summary = $"keepalive {string.Join(' ', ka.Args)} in upstream {ctx.UpstreamBlock}", Line = ka.ToString(), Supports = new[] { Id } });

        var nonIdem = reuse.Count(e => IncidentContext.IsNonIdempotent(e.Method));
        if (nonIdem > 0)
        {
            score += 0.05;
            parts.Add($"{nonIdem} on POST/PATCH/LOCK, which nginx does not retry");
        }
        // Reuse races are isolated requests after idle periods, not a wall of simultaneous failures.
        if (reuse.Count >= 2 && MedianGap(reuse) >= TimeSpan.FromSeconds(1)) score += 0.05;

        foreach (var e in reuse.Where(e => !ctx.BodyTies.ContainsKey(e)).Take(5))
            ev.Add(Cite(e, e.Time, $"{e.Method ?? "-"} {e.Uri}: {e.Message}{(e.Errno is null ? "" : $" ({e.Errno})")} {e.Action}"));

        score -= 0.5 * Coverage(nearDeath + bodyTied, reuse.Count);
        var reason = $"{OfErrors(reuse.Count, ctx.ErrorCount)} {Are(reuse.Count)} {(reuse.Count == 1 ? "a reset or premature close" : "resets or premature closes")} of a request sent over a possibly reused connection"
                     + (parts.Count > 0 ? "; " + string.Join("; ", parts) : "") + ".";
        return Result(score, reason, ev, unexplained);
    }

    private static string Sources(IncidentContext ctx) =>
        ctx.Evidence.KernelLogRead && ctx.Evidence.BackendLogRead ? "kernel and backend logs" : ctx.Evidence.KernelLogRead ? "kernel log" : "backend log";

    private static bool HasKeepalive(NginxDirective? upstream) =>
        upstream?.Block?.Any(d => d.Name == "keepalive" && d.Args.Count > 0 && d.Args[0] != "0") == true;

    private static TimeSpan MedianGap(List<UpstreamError> errs)
    {
        var gaps = new List<long>();
        for (var i = 1; i < errs.Count; i++) gaps.Add((errs[i].Time - errs[i - 1].Time).Ticks);
        gaps.Sort();
        return TimeSpan.FromTicks(gaps[gaps.Count / 2]);
    }
}
