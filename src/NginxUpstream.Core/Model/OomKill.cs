namespace NginxUpstream.Model;

/// <summary>Who killed the process for lack of memory.</summary>
public enum OomKiller { Kernel, SystemdOomd, Earlyoom, Systemd }

/// <summary>One out-of-memory kill (owned by the kernel-log engine, issue 5).</summary>
public sealed class OomKill : LogRecord
{
    public DateTimeOffset? Time { get; init; }
    /// <summary>Seconds since boot, where the source had them.</summary>
    public double? BootSeconds { get; init; }
    public string? BootId { get; init; }
    public string? HostName { get; init; }
    public OomKiller Killer { get; init; }
    public int? ProcessId { get; init; }
    public string? ProcessName { get; init; }
    public int? Uid { get; init; }
    /// <summary>CONSTRAINT_NONE / MEMCG / CPUSET / MEMORY_POLICY as the kernel names it (none, memcg, ...).</summary>
    public string? Constraint { get; init; }
    public string? MemoryCgroup { get; init; }
    public string? TaskCgroup { get; init; }
    /// <summary>systemd unit, when a userspace reporter named one.</summary>
    public string? Unit { get; init; }
    public long? AnonRssKb { get; init; }
    public long? FileRssKb { get; init; }
    public long? ShmemRssKb { get; init; }
    public long? TotalVmKb { get; init; }
    public int? OomScoreAdj { get; init; }
    /// <summary>The "X invoked oom-killer" task: the allocator, not necessarily the victim.</summary>
    public string? TriggeredBy { get; init; }
    public int? TriggeredByProcessId { get; init; }

    public override string ToString() => $"{Origin}: OOM kill of {ProcessName}[{ProcessId}] by {Killer}{(MemoryCgroup is null ? "" : $" in {MemoryCgroup}")}";
}
