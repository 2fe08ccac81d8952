using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-OOM: the kernel (or systemd-oomd / earlyoom) killed a backend process for memory inside
/// the window. Whether nginx then logged 104 or "prematurely closed" depends only on whether the
/// request was fully read, so both count.
/// </summary>
public sealed class OomKillRule : HypothesisRule
{
    public override string Id => "RC-OOM";
    public override ResetCause Cause => ResetCause.BackendOomKilled;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        if (ctx.OomKills.Count == 0) return null;
        var ev = new List<DiagnosisEvidence>();
        var best = 0.0;
        string? bestWhy = null;
        OomKill? bestKill = null;
        foreach (var k in ctx.OomKills)
        {
            var m = ctx.Matcher.Match(k.ProcessId, k.ProcessName, k.Unit, k.MemoryCgroup, k.TaskCgroup);
            if (m.Strength <= 0) continue;
            ev.Add(Cite(k, k.Time, $"{k.Killer} OOM kill of {k.ProcessName}[{k.ProcessId}]{(k.MemoryCgroup is null ? "" : " in " + k.MemoryCgroup)} ({m.Why})"));
            if (m.Strength >= 0.8) ctx.DeathTimes.Add(k.Time!.Value);
            if (m.Strength > best) { best = m.Strength; bestWhy = m.Why; bestKill = k; }
        }
        if (bestKill is null) return null;
        var matched = ctx.OomKills.Where(k => ctx.Matcher.Match(k.ProcessId, k.ProcessName, k.Unit, k.MemoryCgroup, k.TaskCgroup).Strength >= best).ToList();
        var explained = ctx.ErrorsNearAny(matched.Select(k => k.Time!.Value), IncidentContext.IsAbruptClose);
        // Corroboration: the backend's master saw the worker die by SIGKILL ("Perhaps out of memory?").
        foreach (var b in ctx.BackendEvents)
            if (b.Kind == BackendEventKind.WorkerKilled && b.ProcessId is int p && matched.Any(k => k.ProcessId == p))
                ev.Add(Cite(b, b.Time, $"{b.Backend} reports worker {p} killed{(b.Signal is null ? "" : " by " + b.Signal)}"));
        var score = (best >= 0.8 ? 0.7 : 0.2) + 0.25 * Coverage(explained, ctx.ErrorCount) + (ev.Any(e => e.Kind == nameof(BackendEvent)) ? 0.04 : 0);
        if (explained == 0) score -= 0.2;
        var k0 = bestKill;
        var reason = $"{k0.ProcessName}[{k0.ProcessId}] was killed for lack of memory at {Clock(k0.Time!.Value)}"
                     + (matched.Count > 1 ? $" ({matched.Count} kills)" : "")
                     + $", within {ctx.Options.Skew.TotalSeconds:0} s of {OfErrors(explained, ctx.ErrorCount)}; {bestWhy}.";
        return Result(score, reason, ev, explained);
    }
}
