namespace NginxUpstream.Time;

/// <summary>This host's current boot. (Boot-relative to wall-clock conversion belongs to the kernel-log engine, see reference/kernel-log.md.)</summary>
public static class BootClock
{
    /// <summary>The current boot id (/proc/sys/kernel/random/boot_id, dashes removed as journald writes it), or null.</summary>
    public static string? CurrentBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim().Replace("-", ""); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
