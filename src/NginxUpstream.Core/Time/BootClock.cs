using System.Globalization;
using System.Runtime.InteropServices;

namespace NginxUpstream.Time;

/// <summary>
/// This host's current boot, and the mapping of kernel (printk) timestamps to wall clock.
/// printk time is local_clock(): it stops during suspend like CLOCK_MONOTONIC, unlike
/// CLOCK_BOOTTIME, so /proc/stat btime + ts (what dmesg &lt; 2.36 and node-problem-detector do)
/// is early by every suspend before the message. The live anchor used here is
/// now(REALTIME) − now(MONOTONIC) (reference/kernel-log.md §5 method 2): right for every
/// message printed after the last resume.
/// </summary>
public static class BootClock
{
    private const int ClockRealtime = 0;
    private const int ClockMonotonic = 1;
    private const int ClockBoottime = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clockId, out Timespec ts);

    /// <summary>The current boot id (/proc/sys/kernel/random/boot_id, dashes removed as journald writes it), or null.</summary>
    public static string? CurrentBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim().Replace("-", ""); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Seconds of the given clock, or null where clock_gettime is not available (not Linux).</summary>
    private static double? Read(int clock)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return ClockGetTime(clock, out var ts) == 0 ? ts.Sec + ts.Nsec / 1e9 : null; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    /// <summary>CLOCK_MONOTONIC now, in seconds: the upper bound of any printk time of this boot.</summary>
    public static double? MonotonicNow() => Read(ClockMonotonic);

    /// <summary>CLOCK_BOOTTIME − CLOCK_MONOTONIC: seconds this host has spent suspended since boot.</summary>
    public static double? SuspendedSeconds()
    {
        var b = Read(ClockBoottime);
        var m = Read(ClockMonotonic);
        return b is null || m is null ? null : Math.Max(0, b.Value - m.Value);
    }

    /// <summary>
    /// The wall-clock instant that printk time 0 of the current boot maps to:
    /// now(REALTIME) − now(MONOTONIC), sampled a few times keeping the tightest pair. Null when
    /// the clocks cannot be read.
    /// </summary>
    public static DateTimeOffset? CurrentAnchor()
    {
        if (!OperatingSystem.IsLinux()) return null;
        double best = double.NaN, bestSpan = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var m1 = Read(ClockMonotonic);
            var r = Read(ClockRealtime);
            var m2 = Read(ClockMonotonic);
            if (m1 is null || r is null || m2 is null) return null;
            var span = m2.Value - m1.Value;
            if (span < bestSpan) { bestSpan = span; best = r.Value - (m1.Value + m2.Value) / 2; }
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((long)Math.Round(best * TimeSpan.TicksPerSecond));
    }

    /// <summary>
    /// Boot time from /proc/stat btime (whole seconds, REALTIME − BOOTTIME): what dmesg &lt; 2.36
    /// uses. Too early for messages after a suspend; kept for reference and diagnostics.
    /// </summary>
    public static DateTimeOffset? ProcStatBootTime()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
                if (line.StartsWith("btime ", StringComparison.Ordinal) &&
                    long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                    return DateTimeOffset.FromUnixTimeSeconds(s);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Wall clock of printk seconds <paramref name="bootSeconds"/> of the current boot (method 2), or null.</summary>
    public static DateTimeOffset? ToWallClock(double bootSeconds) =>
        CurrentAnchor() is { } a ? a.AddTicks((long)Math.Round(bootSeconds * TimeSpan.TicksPerSecond)) : null;
}
