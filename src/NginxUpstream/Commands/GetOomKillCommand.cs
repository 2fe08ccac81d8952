using System.Management.Automation;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Get-OomKill: out-of-memory kills from kernel logs in any rendering (dmesg, /dev/kmsg,
/// journalctl short/json, syslog, RFC 5424), one object per kill, plus the kills systemd-oomd
/// and earlyoom made and the OOM results systemd logged for its units.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomKill", DefaultParameterSetName = PathSet)]
[OutputType(typeof(OomKill))]
public sealed class GetOomKillCommand : KernelEventCommandBase
{
    /// <summary>Only kills whose memory cgroup, task cgroup or systemd unit matches one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Cgroup { get; set; }

    protected override bool Accept(LogRecord record) =>
        record is OomKill k && NameMatches(k.ProcessName) && AnyMatches(Cgroup, k.TaskCgroup, k.MemoryCgroup, k.Unit);
}
