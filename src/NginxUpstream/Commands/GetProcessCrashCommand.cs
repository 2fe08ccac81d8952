using System.Management.Automation;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Get-ProcessCrash: processes that died of a fault or a signal: kernel segfault, general
/// protection and trap lines, and systemd's "Main process exited, code=killed|dumped" results.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ProcessCrash", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ProcessCrash))]
public sealed class GetProcessCrashCommand : KernelEventCommandBase
{
    /// <summary>Only crashes whose systemd unit matches one of these wildcard patterns (systemd lines carry the unit; kernel lines do not).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [Alias("Cgroup")]
    public string[]? Unit { get; set; }

    protected override bool Accept(LogRecord record) =>
        record is ProcessCrash c && NameMatches(c.ProcessName) && AnyMatches(Unit, c.Unit);
}
