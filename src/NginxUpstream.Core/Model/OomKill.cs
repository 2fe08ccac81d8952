namespace NginxUpstream.Model;

/// <summary>Who killed the process for lack of memory.</summary>
public enum OomKiller { Kernel, SystemdOomd, Earlyoom, Systemd }

/// <summary>What kind of OOM event the record is (the line that proved it).</summary>
public enum OomKillKind
{
    /// <summary>A kernel kill whose scope the log does not say (very old kernels, a lone victim line).</summary>
    Unknown,
    /// <summary>Kernel OOM killer, whole machine (or cpuset / mempolicy) out of memory.</summary>
    Global,
    /// <summary>Kernel OOM killer inside a memory cgroup that hit its limit.</summary>
    Memcg,
    /// <summary>Killed as a member of a memory.oom.group kill (not the chosen victim).</summary>
    MemcgGroup,
    /// <summary>systemd: "A process of this unit has been killed by the OOM killer." / v259 "The kernel OOM killer killed some processes in this unit."</summary>
    SystemdUnitOom,
    /// <summary>systemd: "Failed with result 'oom-kill'." (kernel or, from v251, systemd-oomd).</summary>
    SystemdUnitFailed,
    /// <summary>systemd-oomd killed (or, v260+, marked for killing) a cgroup.</summary>
    SystemdOomd,
    /// <summary>earlyoom sent SIGTERM/SIGKILL.</summary>
    Earlyoom,
}

/// <summary>Where the record's Time comes from, so a correlator knows how far to trust it.</summary>
public enum TimeBasis
{
    /// <summary>No time.</summary>
    None,
    /// <summary>Printed with its zone (ISO 8601 / RFC 5424 / epoch).</summary>
    Printed,
    /// <summary>Printed as local time without zone: -TimeZone applied (and the year inferred where missing).</summary>
    PrintedLocal,
    /// <summary>Journal JSON kernel entry: __REALTIME − (__MONOTONIC − _SOURCE_MONOTONIC), the kernel's own time.</summary>
    KernelViaJournal,
    /// <summary>When journald received the line (journalctl short output): can lag the kernel by seconds under OOM.</summary>
    JournalReceipt,
    /// <summary>When the syslog daemon received the line (kern.log, syslog, messages): whole seconds.</summary>
    SyslogReceipt,
    /// <summary>Boot-relative seconds + the boot time given with -BootTime.</summary>
    BootTimeGiven,
    /// <summary>Boot-relative seconds of this host's current boot: now(REALTIME) − now(MONOTONIC) + ts.</summary>
    CurrentBoot,
    /// <summary>Boot-relative seconds converted as if from this host's current boot, which the source could not prove.</summary>
    CurrentBootAssumed,
}

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

    /// <summary>Which line proved the event: kernel global / memcg / group kill, systemd, systemd-oomd, earlyoom.</summary>
    public OomKillKind Kind { get; init; }
    /// <summary>Who wrote the evidence (the kernel, or systemd for its unit results).</summary>
    public OomKiller ReportedBy { get; init; }
    /// <summary>Where <see cref="Time"/> comes from.</summary>
    public TimeBasis TimeBasis { get; init; }
    /// <summary>Page tables of the victim, kB (5.x+ victim line).</summary>
    public long? PageTablesKb { get; init; }
    /// <summary>Resident set in kB where the reporter gives only the total (earlyoom VmRSS).</summary>
    public long? RssKb { get; init; }
    /// <summary>Badness the killer scored (≤ 5.1 "score N or sacrifice child", earlyoom badness/oom_score).</summary>
    public long? OomScore { get; init; }
    /// <summary>≤ 5.1: the scored process, when the kernel killed one of its children instead.</summary>
    public int? ScoredProcessId { get; init; }
    public string? ScoredProcessName { get; init; }
    /// <summary>Allocation order from the header (-1 = sysrq-f forced kill).</summary>
    public int? Order { get; init; }
    /// <summary>GFP mask of the failed allocation, as printed (e.g. 0xcc0(GFP_KERNEL)).</summary>
    public string? GfpMask { get; init; }
    /// <summary>Signal sent, where the killer says (earlyoom SIGTERM/SIGKILL); the kernel always sends SIGKILL.</summary>
    public string? Signal { get; init; }
    /// <summary>The oom_reaper reported reclaiming the victim's memory.</summary>
    public bool Reaped { get; init; }
    /// <summary>The event rests on the one-line oom-kill: summary alone (no "Killed process" line was found).</summary>
    public bool SummaryOnly { get; init; }
    /// <summary>The rest of a userspace killer's message (why oomd killed, ...).</summary>
    public string? Detail { get; init; }

    public override string ToString() =>
        $"{Origin}: OOM {Kind} {(ProcessId is null ? Unit ?? TaskCgroup : $"{ProcessName}[{ProcessId}]")} by {Killer}{(TaskCgroup is null || ProcessId is null ? "" : $" in {TaskCgroup}")}";
}
