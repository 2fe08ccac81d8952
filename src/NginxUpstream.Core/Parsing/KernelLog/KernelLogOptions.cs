using NginxUpstream.Time;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>How to put kernel-log events on the wall clock.</summary>
public sealed class KernelLogOptions
{
    /// <summary>
    /// Wall-clock time of printk 0 for boot-relative stamps (dmesg raw, /dev/kmsg,
    /// short-monotonic). When null, such stamps are converted only for this host's current boot
    /// (see <see cref="SourceIsCurrentBoot"/> and <see cref="AssumeCurrentBoot"/>).
    /// </summary>
    public DateTimeOffset? BootTime { get; init; }

    /// <summary>Zone of stamps printed without one (RFC 3164, journalctl short, dmesg -T). Default: the host's.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>
    /// The date the source was collected (a file's last write time): the year of RFC 3164 and
    /// journalctl short stamps is the one that puts them at or before this date. Default: now.
    /// </summary>
    public DateTimeOffset? ReferenceDate { get; init; }

    /// <summary>The source is this host's live ring buffer (dmesg, /dev/kmsg): boot-relative stamps are of the current boot.</summary>
    public bool SourceIsCurrentBoot { get; init; }

    /// <summary>
    /// Convert boot-relative stamps of a file as if it came from this host's current boot (with a
    /// warning) when no <see cref="BootTime"/> is given. Stamps later than this boot's uptime,
    /// which cannot be of this boot, stay without a time.
    /// </summary>
    public bool AssumeCurrentBoot { get; init; } = true;

    /// <summary>This host's boot id, to recognise journal entries of the current boot. Default: read from /proc.</summary>
    public string? CurrentBootId { get; init; } = BootClock.CurrentBootId();

    /// <summary>Receives one warning per problem (not per line): assumed boot, missing year, hidden blobs...</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>A copy for one source.</summary>
    public KernelLogOptions With(DateTimeOffset? referenceDate = null, bool? sourceIsCurrentBoot = null) => new()
    {
        BootTime = BootTime, TimeZone = TimeZone, ReferenceDate = referenceDate ?? ReferenceDate,
        SourceIsCurrentBoot = sourceIsCurrentBoot ?? SourceIsCurrentBoot, AssumeCurrentBoot = AssumeCurrentBoot,
        CurrentBootId = CurrentBootId, Warning = Warning,
    };
}
