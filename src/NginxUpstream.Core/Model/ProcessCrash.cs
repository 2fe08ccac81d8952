namespace NginxUpstream.Model;

/// <summary>How a process died.</summary>
public enum CrashKind
{
    Segfault, GeneralProtection, Trap, KilledBySignal, CoreDumped, Other,
    /// <summary>journalctl short output replaced a non-UTF-8 kernel line by "[NB blob data]": re-read with -o json.</summary>
    HiddenMessage,
}

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
    /// <summary>Where <see cref="Time"/> comes from.</summary>
    public TimeBasis TimeBasis { get; init; }
    /// <summary>Trap name for Kind Trap (invalid opcode, divide error, ...).</summary>
    public string? Trap { get; init; }
    /// <summary>Faulting address (segfault at ...), hex as printed.</summary>
    public string? FaultAddress { get; init; }
    /// <summary>Instruction pointer, hex as printed.</summary>
    public string? InstructionPointer { get; init; }
    /// <summary>Error code, hex as printed (page-fault bits for a segfault).</summary>
    public string? ErrorCode { get; init; }
    /// <summary>File the instruction pointer was in (" in libc.so.6[...]"), when printed.</summary>
    public string? Module { get; init; }
    /// <summary>Exit status number for systemd lines (status=N/SIG).</summary>
    public int? Status { get; init; }

    public override string ToString() => $"{Origin}: {Kind} {ProcessName}[{ProcessId}] {Signal}";
}
