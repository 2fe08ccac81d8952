using NginxUpstream.Model;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// The lines of one kernel OOM kill seen so far (reference §1): the "invoked oom-killer" header
/// and CPU line (the allocating task), the ≤ 5.1 candidate and "Task in" lines, the 5.0+
/// oom-kill: summaries by pid, and a memory.oom.group announcement. Header, summary and task
/// dump are ratelimited; the victim line is not, so every field here is optional.
/// </summary>
internal sealed class OomBlock
{
    public int Id;
    /// <summary>Clock seconds (boot seconds or epoch) of the line that opened or last fed the block.</summary>
    public double? Clock;
    public string? HeaderComm;
    public int? HeaderPid;
    public bool ExpectCpu;
    public string? Gfp;
    public int? Order;
    public string? CandidateContext;
    public int? CandidatePid;
    public string? CandidateComm;
    public long? CandidateScore;
    public string? TaskInTask;
    public string? TaskInLimit;
    public string? GroupCgroup;
    public double? GroupClock;
    public readonly Dictionary<int, OomSummary> Summaries = new();
    public readonly HashSet<int> Victims = new();
}

/// <summary>One oom-kill:constraint=… line (5.0+), tolerant of lines cut short by interleaving.</summary>
internal sealed class OomSummary
{
    public string? Constraint;
    public string? OomMemcg;
    public bool Global;
    public string? TaskMemcg;
    public string? Task;
    public int? Pid;
    public int? Uid;
    // Where it was, for a summary-only kill.
    public long LineNumber;
    public string? Line;
    public DateTimeOffset? Time;
    public TimeBasis Basis;
    public double? BootSeconds;
    public string? Host;
    public string? BootId;

    public static OomSummary? Parse(string m)
    {
        if (!m.StartsWith("oom-kill:", StringComparison.Ordinal)) return null;
        var s = new OomSummary();
        var body = m["oom-kill:".Length..];
        // task=, pid= and uid= are last; the comm and the cgroup paths may hold commas, so split from the right.
        var ti = body.LastIndexOf(",task=", StringComparison.Ordinal);
        var head = ti >= 0 ? body[..ti] : body;
        if (ti >= 0)
        {
            var tail = body[(ti + 6)..];
            var ui = tail.LastIndexOf(",uid=", StringComparison.Ordinal);
            if (ui >= 0 && int.TryParse(tail[(ui + 5)..], out var uid)) { s.Uid = uid; tail = tail[..ui]; }
            var pi = tail.LastIndexOf(",pid=", StringComparison.Ordinal);
            if (pi >= 0 && int.TryParse(tail[(pi + 5)..], out var pid)) { s.Pid = pid; tail = tail[..pi]; }
            s.Task = tail;
        }
        if (head.StartsWith("constraint=", StringComparison.Ordinal))
        {
            var c = head.IndexOf(',');
            var v = c < 0 ? head[11..] : head[11..c];
            s.Constraint = v.StartsWith("CONSTRAINT_", StringComparison.Ordinal) ? v[11..].ToLowerInvariant() : v.ToLowerInvariant();
        }
        var tm = head.IndexOf(",task_memcg=", StringComparison.Ordinal);
        if (tm >= 0) { s.TaskMemcg = head[(tm + 12)..]; head = head[..tm]; }
        var om = head.IndexOf(",oom_memcg=", StringComparison.Ordinal);
        if (om >= 0) s.OomMemcg = head[(om + 11)..];
        s.Global = head.EndsWith(",global_oom", StringComparison.Ordinal);
        return s.Pid is null ? null : s;
    }
}

/// <summary>A kernel kill waiting for its oom_reaper line before it is released.</summary>
internal sealed class PendingKill
{
    /// <summary>Builds the record once it is known whether the reaper reported it.</summary>
    public required Func<bool, OomKill> Build;
    public int Pid;
    public double? Clock;
    public bool Reaped;
    public bool Done;
}
