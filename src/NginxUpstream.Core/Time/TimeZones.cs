namespace NginxUpstream.Time;

/// <summary>
/// Zone handling for logs that write local time without an offset (nginx error.log, php-fpm,
/// RFC 3164 syslog): the caller names the zone, default the host's.
/// </summary>
public static class TimeZones
{
    /// <summary>Resolves an IANA/Windows id, "UTC", "Local", or a fixed offset like "+02:00".</summary>
    public static TimeZoneInfo Resolve(string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Equals("Local", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Local;
        if (id.Equals("UTC", StringComparison.OrdinalIgnoreCase) || id == "Z") return TimeZoneInfo.Utc;
        if ((id[0] == '+' || id[0] == '-') && TimeSpan.TryParse(id.TrimStart('+'), out var off))
            return TimeZoneInfo.CreateCustomTimeZone(id, off, id, id);
        return TimeZoneInfo.FindSystemTimeZoneById(id); // throws TimeZoneNotFoundException
    }

    /// <summary>
    /// A zone-less wall-clock time in <paramref name="zone"/> as a DateTimeOffset. An ambiguous
    /// time (DST fall-back) takes the standard offset; a skipped one (spring-forward) is moved
    /// forward by the gap, as the clock would have shown.
    /// </summary>
    public static DateTimeOffset ToOffset(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
