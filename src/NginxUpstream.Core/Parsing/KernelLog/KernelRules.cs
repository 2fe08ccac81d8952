using System.Text.RegularExpressions;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Kernel OOM and crash line shapes (reference §2, §3, §9), anchored at the start of the message
/// so userspace writes to /dev/kmsg that merely contain "Killed process" never match.
/// </summary>
internal static partial class KernelRules
{
    /// <summary>2.6.37 → 6.12 (and RHEL8): optional context prefix, sizes, optional shmem, UID, pgtables/oom_score_adj.</summary>
    [GeneratedRegex(@"^(?:(?<ctx>Out of memory|Memory cgroup out of memory)(?: \(oom_kill_allocating_task\))?: )?Killed process (?<pid>\d+) \((?<comm>.*)\) total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB(?:, shmem-rss:(?<shmem>\d+)kB)?(?:, UID:(?<uid>\d+)(?: pgtables:(?<pgt>\d+)kB oom_score_adj:(?<adj>-?\d+))?)?$", RegexOptions.CultureInvariant)]
    public static partial Regex Victim();

    /// <summary>RHEL7 3.10.0-1160: "(comm), UID U, total-vm:".</summary>
    [GeneratedRegex(@"^Killed process (?<pid>\d+) \((?<comm>.*)\), UID (?<uid>\d+), total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB(?:, shmem-rss:(?<shmem>\d+)kB)?$", RegexOptions.CultureInvariant)]
    public static partial Regex VictimRhel7();

    /// <summary>RHEL6 2.6.32-642: "Killed process N, UID U, (comm) total-vm:".</summary>
    [GeneratedRegex(@"^Killed process (?<pid>\d+), UID (?<uid>\d+), \((?<comm>.*)\) total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB$", RegexOptions.CultureInvariant)]
    public static partial Regex VictimRhel6();

    /// <summary>2.6.11 – 2.6.32 vanilla: no sizes. Only trusted inside an OOM block.</summary>
    [GeneratedRegex(@"^(?:(?<ctx>Out of [Mm]emory|Memory cgroup out of memory|No available memory[^:]*): )?Killed process (?<pid>\d+) \((?<comm>.*)\)\.?$", RegexOptions.CultureInvariant)]
    public static partial Regex VictimOld();

    [GeneratedRegex(@"^(?:(?<comm>.*) invoked )?oom-killer: gfp_mask=(?<gfp>[^,\s]+)(?:,(?: nodemask=\S*?,)? +order=(?<order>-?\d+))?", RegexOptions.CultureInvariant)]
    public static partial Regex Header();

    [GeneratedRegex(@"^CPU: \d+ (?:UID: \d+ )?PID: (?<pid>\d+) Comm: ", RegexOptions.CultureInvariant)]
    public static partial Regex CpuLine();

    /// <summary>≤ 5.1 candidate: "&lt;ctx&gt;: Kill process N (comm) score S or sacrifice child" (and older wordings).</summary>
    [GeneratedRegex(@"^(?<ctx>[^:]+): [Kk]ill process (?<pid>\d+) \((?<comm>.*)\) score (?<score>-?\d+) (?:or sacrifice child|or a child|and children\.)$", RegexOptions.CultureInvariant)]
    public static partial Regex Candidate();

    [GeneratedRegex(@"^Task in (?<task>.+?) killed as a result of limit of (?<limit>.+)$", RegexOptions.CultureInvariant)]
    public static partial Regex TaskIn();

    [GeneratedRegex(@"^Tasks in (?<cg>.+) are going to be killed due to memory\.oom\.group set$", RegexOptions.CultureInvariant)]
    public static partial Regex GroupKill();

    [GeneratedRegex(@"^oom_reaper: reaped process (?<pid>\d+) \(", RegexOptions.CultureInvariant)]
    public static partial Regex Reaper();

    [GeneratedRegex(@"^(?<comm>.+)\[(?<pid>\d+)\]: segfault at (?<addr>[0-9a-f]+) ip (?<ip>[0-9a-f]+) sp (?<sp>[0-9a-f]+) error (?<err>[0-9a-f]+)(?: in (?<mod>[^\[ ]+)\[)?", RegexOptions.CultureInvariant)]
    public static partial Regex Segfault();

    [GeneratedRegex(@"^(?:traps: )?(?<comm>.+)\[(?<pid>\d+)\] (?:(?<gp>general protection(?: fault)?)|trap (?<trap>.+?)) ip:(?<ip>[0-9a-f]+) sp:(?<sp>[0-9a-f]+) error:(?<err>[0-9a-f]+)(?: in (?<mod>[^\[ ]+)\[)?", RegexOptions.CultureInvariant)]
    public static partial Regex Trap();

    [GeneratedRegex(@"^\[\d+B blob data\]$", RegexOptions.CultureInvariant)]
    public static partial Regex Blob();

    /// <summary>The signal a trap delivers (arch/x86/kernel/traps.c).</summary>
    public static string TrapSignal(string trap) => trap switch
    {
        "invalid opcode" => "SIGILL",
        "divide error" or "coprocessor segment overrun" => "SIGFPE",
        "int3" => "SIGTRAP",
        "alignment check" or "stack segment" or "segment not present" => "SIGBUS",
        _ => "SIGSEGV",
    };
}

/// <summary>Userspace reporters (reference §6, §9.7): the ident must match.</summary>
internal static partial class UserspaceRules
{
    [GeneratedRegex(@"^(?<unit>\S+): (?:A process of this unit has been killed by the OOM killer|The kernel OOM killer killed some processes in this unit)\.$", RegexOptions.CultureInvariant)]
    public static partial Regex UnitOom();

    [GeneratedRegex(@"^(?<unit>\S+): Failed with result 'oom-kill'\.$", RegexOptions.CultureInvariant)]
    public static partial Regex UnitFailedOom();

    [GeneratedRegex(@"^(?<unit>\S+): (?:[Mm]ain process exited|Main process exited), code=(?<code>killed|dumped), status=(?<status>\d+)/(?<sig>[A-Z0-9+-]+)$", RegexOptions.CultureInvariant)]
    public static partial Regex MainKilled();

    [GeneratedRegex(@"^(?:Killed (?<cg>\S+) due to|Marked (?<cg>\S+) for killing due to) (?<why>.*)$", RegexOptions.CultureInvariant)]
    public static partial Regex Oomd();

    /// <summary>earlyoom v1.3 – v1.9+.</summary>
    [GeneratedRegex(@"^sending (?<sig>SIG[A-Z]+) to process (?<pid>\d+)(?: uid (?<uid>\d+))? ""(?<comm>.*)"": (?:badness|oom_score) (?<score>-?\d+)(?:, oom_score_adj -?\d+)?, VmRSS (?<rss>\d+) MiB", RegexOptions.CultureInvariant)]
    public static partial Regex Earlyoom();

    /// <summary>earlyoom v1.1 / v1.2.</summary>
    [GeneratedRegex(@"^Killing process(?:: (?<comm>.*), pid: (?<pid>\d+)| '(?<comm>.*)' with signal (?<signo>\d+), pid: (?<pid>\d+)), badness: (?<score>-?\d+), VmRSS: (?<rss>\d+) MiB", RegexOptions.CultureInvariant)]
    public static partial Regex EarlyoomOld();
}
