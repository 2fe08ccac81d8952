using NginxUpstream.Model;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>What the envelope of one line says: who wrote the message, when, and the message itself.</summary>
internal struct KernelEntry
{
    public KernelLogFormat Format;
    /// <summary>Facility 0 (kernel) as far as the envelope can tell.</summary>
    public bool IsKernel;
    /// <summary>Syslog identifier / tag (kernel, systemd, earlyoom, ...); null when the format has none.</summary>
    public string? Ident;
    public string? Host;
    public string Message;
    /// <summary>printk seconds since boot, when the line carries them.</summary>
    public double? BootSeconds;
    /// <summary>A zoned instant printed in the line (ISO, RFC 5424, JSON, epoch).</summary>
    public DateTimeOffset? Time;
    /// <summary>A zone-less local time printed in the line; <see cref="YearKnown"/> false for RFC 3164 / journalctl short.</summary>
    public DateTime? LocalTime;
    public bool YearKnown;
    public TimeBasis Basis;
    /// <summary>_BOOT_ID of a journal JSON entry.</summary>
    public string? BootId;
    /// <summary>UNIT field of a journal JSON entry.</summary>
    public string? Unit;
}

/// <summary>Result of reading the envelope of one physical line.</summary>
internal enum LineKind
{
    /// <summary>An entry with a message.</summary>
    Entry,
    /// <summary>Continuation of the previous record (indented text, kmsg dictionary line).</summary>
    Continuation,
    /// <summary>journalctl "-- Boot id --" / "-- Reboot --": a new boot starts.</summary>
    BootSeparator,
    /// <summary>Other journalctl "-- ... --" banners, blank lines.</summary>
    Banner,
    /// <summary>Not readable in the detected format.</summary>
    Malformed,
}
