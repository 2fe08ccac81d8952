using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-KILLED: a backend worker died by a signal that neither the OOM killer nor the backend's
/// timeout sent (a deploy script, kill -9, a userspace killer that logged nothing).
/// </summary>
public sealed class BackendKilledRule : HypothesisRule
{
    public override string Id => "RC-KILLED";
    public override ResetCause Cause => ResetCause.BackendKilled;

    private static readonly HashSet<string> KillSignals = new(StringComparer.OrdinalIgnoreCase)
    { "SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "KILL", "TERM", "9", "15" };

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var oomPids = ctx.OomKills.Where(k => k.ProcessId is not null).Select(k => k.ProcessId!.Value).ToHashSet();
        var ev = new List<DiagnosisEvidence>();
        var times = new List<DateTimeOffset>();
        var hintsOom = false;
        // A kill right after the backend's own timeout of that pid is the timeout's (php-fpm SIGTERM, gunicorn SIGKILL).
        var timedOut = ctx.BackendEvents.Where(b => b.Kind is BackendEventKind.WorkerTimeout or BackendEventKind.RequestTimedOut or BackendEventKind.Harakiri && b.ProcessId is not null)
            .ToLookup(b => b.ProcessId!.Value, b => b.Time!.Value);
        foreach (var b in ctx.BackendEvents)
        {
            if (b.Kind is not (BackendEventKind.WorkerKilled or BackendEventKind.WorkerExited) || b.PartOfTimeout) continue;
            if (b.Kind == BackendEventKind.WorkerExited && b.Signal is null) continue; // a clean exit or recycle
            if (b.ProcessId is int tp && timedOut[tp].Any(t => b.Time!.Value - t is var d && d >= -ctx.Options.Skew && d <= TimeSpan.FromSeconds(35))) continue;
            if (b.ProcessId is int p && oomPids.Contains(p)) continue; // the OOM rule owns it
            if (b.Signal is not null && !KillSignals.Contains(b.Signal)) continue; // SIGSEGV and friends: a crash
            hintsOom |= b.Detail?.Contains("memory", StringComparison.OrdinalIgnoreCase) == true || b.Line?.Contains("out of memory", StringComparison.OrdinalIgnoreCase) == true;
            ev.Add(Cite(b, b.Time, $"{b.Backend} worker {b.ProcessId} killed{(b.Signal is null ? "" : " by " + b.Signal)}"));
            times.Add(b.Time!.Value);
        }
        foreach (var c in ctx.Crashes)
        {
            if (c.Kind != CrashKind.KilledBySignal || c.Signal is not null && !KillSignals.Contains(c.Signal)) continue;
            if (c.ProcessId is int p && oomPids.Contains(p)) continue;
            var m = ctx.Matcher.Match(c.ProcessId, c.ProcessName, c.Unit);
            if (m.Strength < 0.8) continue;
            ev.Add(Cite(c, c.Time, $"{c.ProcessName ?? c.Unit}[{c.ProcessId}] killed by {c.Signal} ({m.Why})"));
            times.Add(c.Time!.Value);
        }
        if (ev.Count == 0) return null;
        ctx.DeathTimes.AddRange(times);
        var explained = ctx.ErrorsNearAny(times, IncidentContext.IsAbruptClose);
        var score = 0.68 + 0.25 * Coverage(explained, ctx.ErrorCount);
        if (explained == 0) score -= 0.25;
        var tail = hintsOom
            ? ctx.Evidence.KernelLogRead ? " The backend suspected memory, but the kernel log read has no OOM kill for it." : " The backend suspects memory; the kernel log was not read to confirm an OOM kill."
            : "";
        var reason = $"{ev.Count} backend process death(s) by signal, the first at {Clock(times.Min())}, within {ctx.Options.Skew.TotalSeconds:0} s of {OfErrors(explained, ctx.ErrorCount)}.{tail}";
        return Result(score, reason, ev, explained);
    }
}
