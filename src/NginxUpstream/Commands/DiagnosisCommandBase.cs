using System.Management.Automation;
using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Internal;

namespace NginxUpstream.Commands;

/// <summary>
/// The parameters of the diagnosis shared by Find-ResetCause and Invoke-NginxResetDiagnosis: how
/// errors group into incidents, which processes are the backend, and how the evidence readers
/// read timestamps; plus cancellation.
/// </summary>
public abstract class DiagnosisCommandBase : PSCmdlet, IDisposable
{
    /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
    protected CancellationTokenSource Cancel { get; } = new();

    /// <summary>Errors further apart than this start a new incident. Default 60 seconds.</summary>
    [Parameter]
    public TimeSpan BurstGap { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far apart the clocks of two sources may be. Default 3 seconds.</summary>
    [Parameter]
    public TimeSpan Skew { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Backend process names (wildcards) to treat as the backend in kernel records.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? ProcessName { get; set; }

    /// <summary>systemd units or cgroup paths (wildcards) of the backend.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Unit { get; set; }

    /// <summary>Backend process ids.</summary>
    [Parameter]
    public int[]? ProcessId { get; set; }

    /// <summary>Zone of timestamps written without one, passed to the log readers. Default: this host's zone.</summary>
    [Parameter]
    [TimeZoneTransformation]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>Boot time of the host whose raw dmesg (seconds since boot) is read, passed to the kernel-log readers.</summary>
    [Parameter]
    public DateTimeOffset? BootTime { get; set; }

    /// <summary>The diagnoser's options from the parameters.</summary>
    protected DiagnosisOptions Options() => new()
    {
        BurstGap = BurstGap, Skew = Skew, ProcessNames = ProcessName ?? Array.Empty<string>(),
        Units = Unit ?? Array.Empty<string>(), ProcessIds = ProcessId ?? Array.Empty<int>(),
    };

    /// <summary>The readers of this host's evidence, with -TimeZone and -BootTime.</summary>
    private protected EvidenceCollector Collector() => new(this, TimeZone, BootTime);

    protected override void StopProcessing() => Cancel.Cancel();

    public void Dispose()
    {
        Cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}
