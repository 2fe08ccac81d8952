namespace NginxUpstream.Model;

/// <summary>How a process died.</summary>
public enum CrashKind { Segfault, GeneralProtection, Trap, KilledBySignal, CoreDumped, Other }

/// <summary>A process death other than an OOM kill (owned by the kernel-log engine, issue 5).</summary>
public sealed class ProcessCrash : LogRecord
{
    public DateTimeOffset? Time { get; init; }
    public double? BootSeconds { get; init; }
    public string? BootId { get; init; }
    public string? HostName { get; init; }
    public CrashKind Kind { get; init; }
    public int? ProcessId { get; init; }
    public string? ProcessName { get; init; }
    /// <summary>Signal name, e.g. SIGSEGV, SIGKILL.</summary>
    public string? Signal { get; init; }
    public string? Unit { get; init; }
    public string? Detail { get; init; }

    public override string ToString() => $"{Origin}: {Kind} {ProcessName}[{ProcessId}] {Signal}";
}
