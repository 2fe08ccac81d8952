using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>RC-CRASH: a backend process faulted (segfault, general protection, trap, core dump, abort).</summary>
public sealed class BackendCrashedRule : HypothesisRule
{
    public override string Id => "RC-CRASH";
    public override ResetCause Cause => ResetCause.BackendCrashed;

    private static readonly HashSet<string> FaultSignals = new(StringComparer.OrdinalIgnoreCase)
    { "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SEGV", "BUS", "ILL", "FPE", "ABRT", "11", "6", "7", "4", "8" };

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var ev = new List<DiagnosisEvidence>();
        var times = new List<DateTimeOffset>();
        foreach (var c in ctx.Crashes)
        {
            var fault = c.Kind is CrashKind.Segfault or CrashKind.GeneralProtection or CrashKind.Trap or CrashKind.CoreDumped
                        || c.Signal is not null && FaultSignals.Contains(c.Signal);
            if (!fault) continue;
            var m = ctx.Matcher.Match(c.ProcessId, c.ProcessName, c.Unit);
            if (m.Strength < 0.8) continue;
            ev.Add(Cite(c, c.Time, $"{c.Kind} of {c.ProcessName ?? c.Unit}[{c.ProcessId}]{(c.Signal is null ? "" : " " + c.Signal)} ({m.Why})"));
            times.Add(c.Time!.Value);
        }
        foreach (var b in ctx.BackendEvents)
        {
            var crash = b.Kind == BackendEventKind.WorkerCrashed
                        || b.Kind is BackendEventKind.WorkerExited or BackendEventKind.WorkerKilled && b.Signal is not null && FaultSignals.Contains(b.Signal);
            if (!crash) continue;
            ev.Add(Cite(b, b.Time, $"{b.Backend} worker {b.ProcessId} crashed{(b.Signal is null ? "" : " with " + b.Signal)}"));
            times.Add(b.Time!.Value);
        }
        if (ev.Count == 0) return null;
        ctx.DeathTimes.AddRange(times);
        var explained = ctx.ErrorsNearAny(times, IncidentContext.IsAbruptClose);
        var score = 0.7 + 0.25 * Coverage(explained, ctx.ErrorCount);
        if (explained == 0) score -= 0.25;
        var reason = $"{ev.Count} backend crash record(s), the first at {Clock(times.Min())}, within {ctx.Options.Skew.TotalSeconds:0} s of {OfErrors(explained, ctx.ErrorCount)}.";
        return Result(score, reason, ev, explained);
    }
}
