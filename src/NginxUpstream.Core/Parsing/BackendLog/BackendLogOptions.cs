using NginxUpstream.Model;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>How backend logs are read.</summary>
public sealed class BackendLogOptions
{
    /// <summary>Force this format; null (or Unknown) detects it per file / unit.</summary>
    public BackendKind? Backend { get; init; }

    /// <summary>Zone of stamps written without one (php-fpm, uWSGI, Tomcat). Default: the host's.</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Local;

    /// <summary>
    /// How long after a worker timeout (gunicorn WORKER TIMEOUT, php-fpm execution timed out, uWSGI
    /// HARAKIRI) a death of the same pid still counts as that timeout. gunicorn sends SIGKILL on its next
    /// arbiter loop (~1 s); with whole-second stamps that can read as 2 s.
    /// </summary>
    public TimeSpan TimeoutLinkWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Lines looked at to detect the format before giving up (the rest is still parsed).</summary>
    public int DetectionLines { get; init; } = 500;

    public static BackendLogOptions Default { get; } = new();
}
