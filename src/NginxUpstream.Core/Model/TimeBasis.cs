namespace NginxUpstream.Model;

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
