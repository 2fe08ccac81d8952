using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>
/// RC-TIMEOUT: the backend's own watchdog killed a busy worker (gunicorn WORKER TIMEOUT, php-fpm
/// request_terminate_timeout "execution timed out", uWSGI HARAKIRI). The SIGKILL that follows a
/// gunicorn timeout belongs to it, not to the OOM killer.
/// </summary>
public sealed class WorkerTimeoutRule : HypothesisRule
{
    public override string Id => "RC-TIMEOUT";
    public override ResetCause Cause => ResetCause.BackendWorkerTimeout;

    private static bool IsTimeout(BackendEvent b) =>
        b.Kind is BackendEventKind.WorkerTimeout or BackendEventKind.RequestTimedOut or BackendEventKind.Harakiri;

    public override HypothesisResult? Evaluate(IncidentContext ctx)
    {
        var timeouts = ctx.BackendEvents.Where(IsTimeout).ToList();
        if (timeouts.Count == 0) return null;
        var ev = timeouts.Select(b => Cite(b, b.Time, $"{b.Backend} {b.Kind} of worker {b.ProcessId}{(b.Detail is null ? "" : ": " + b.Detail)}")).ToList();
        var pids = timeouts.Where(t => t.ProcessId is not null).Select(t => t.ProcessId!.Value).ToHashSet();
        foreach (var b in ctx.BackendEvents)
            if (b.PartOfTimeout || b.Kind is BackendEventKind.WorkerKilled or BackendEventKind.WorkerExited && b.ProcessId is int p && pids.Contains(p)) ev.Add(Cite(b, b.Time, $"{b.Backend} kills worker {b.ProcessId} as part of the timeout"));
        ctx.DeathTimes.AddRange(timeouts.Select(b => b.Time!.Value));
        var explained = ctx.ErrorsNearAny(timeouts.Select(b => b.Time!.Value), IncidentContext.IsAbruptClose);
        var score = 0.72 + 0.25 * Coverage(explained, ctx.ErrorCount);
        if (explained == 0) score -= 0.25;
        var first = timeouts[0];
        var reason = $"{first.Backend} killed {(timeouts.Count == 1 ? $"worker {first.ProcessId}" : $"{timeouts.Count} workers")} for running too long ({first.Kind} at {Clock(first.Time!.Value)}), within {ctx.Options.Skew.TotalSeconds:0} s of {OfErrors(explained, ctx.ErrorCount)}.";
        return Result(score, reason, ev, explained);
    }
}
