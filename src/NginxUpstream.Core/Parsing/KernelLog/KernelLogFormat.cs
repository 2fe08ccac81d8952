namespace NginxUpstream.Parsing.KernelLog;

/// <summary>The rendering a kernel/system log source was written in (detected per source).</summary>
public enum KernelLogFormat
{
    Unknown,
    /// <summary>`dmesg`: [ sec.usec] message.</summary>
    DmesgRaw,
    /// <summary>`dmesg -T`: [Sat Jun 27 10:50:46 2026] message (local time, whole seconds).</summary>
    DmesgCtime,
    /// <summary>`dmesg --time-format iso`: 2026-06-27T10:50:46,995220+00:00 message.</summary>
    DmesgIso,
    /// <summary>`cat /dev/kmsg`: prio,seq,usec,flag;message with \xNN escapes.</summary>
    Kmsg,
    /// <summary>`journalctl` short / short-precise / RFC 3164 syslog: Mmm dd HH:MM:SS host ident[pid]: message.</summary>
    SyslogShort,
    /// <summary>`journalctl -o short-iso[-precise]`, rsyslog RSYSLOG_FileFormat: ISO time host ident[pid]: message.</summary>
    SyslogIso,
    /// <summary>`journalctl -o short-monotonic`: [ sec.usec] host ident[pid]: message.</summary>
    JournalShortMonotonic,
    /// <summary>`journalctl -o short-unix`: epoch.usec host ident[pid]: message.</summary>
    JournalShortUnix,
    /// <summary>`journalctl -o short-full`: Sat 2026-07-04 15:45:19 CEST host ident[pid]: message.</summary>
    JournalShortFull,
    /// <summary>`journalctl -o json`: one object per line.</summary>
    JournalJson,
    /// <summary>RFC 5424: &lt;PRI&gt;1 time host app procid msgid sd message.</summary>
    Rfc5424,
    /// <summary>Messages without any envelope (journalctl -o cat, copied text).</summary>
    Bare,
}
