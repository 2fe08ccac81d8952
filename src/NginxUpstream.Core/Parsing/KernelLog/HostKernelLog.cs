using System.Globalization;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>What happened to one default source.</summary>
public enum KernelSourceStatus { Reading, Unavailable, AccessDenied, Failed }

/// <summary>A note about a default source, for -Verbose, a warning or an error.</summary>
public sealed record KernelSourceNotice(KernelSourceStatus Status, string Source, string Message, string? RecommendedAction = null);

/// <summary>Where the default sources are (overridable for tests and unusual hosts).</summary>
public sealed class HostKernelLogSettings
{
    public string Journalctl { get; init; } = "journalctl";
    public string Dmesg { get; init; } = "dmesg";
    /// <summary>Syslog files read when neither journald nor the ring buffer is usable; each with its rotated siblings.</summary>
    public IReadOnlyList<string> Files { get; init; } = ["/var/log/kern.log", "/var/log/messages"];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Only events at or after this time (passed to journalctl --since).</summary>
    public DateTimeOffset? Since { get; init; }
}

/// <summary>
/// This host's kernel (and OOM-reporter) messages, best source first:
/// 1. the journal, when it holds kernel messages: `journalctl -o json _TRANSPORT=kernel` (all
///    boots, kernel times recovered per entry) plus the systemd OOM / exit results, systemd-oomd
///    and earlyoom;
/// 2. the kernel ring buffer: `dmesg -r` (current boot; facility kept, so userspace writes to
///    /dev/kmsg are told apart). Permission denied (kernel.dmesg_restrict=1) is reported with the fix;
/// 3. /var/log/kern.log* and /var/log/messages* (rotated and gzipped, oldest first).
/// </summary>
public static class HostKernelLog
{
    private static readonly string[] JournalMatches =
    [
        "_TRANSPORT=kernel", "+", "SYSLOG_IDENTIFIER=systemd-oomd", "+", "SYSLOG_IDENTIFIER=earlyoom", "+",
        "MESSAGE_ID=fe6faa94e7774663a0da52717891d8ef", "+", // unit out of memory (OOM killer killed a process of the unit)
        "MESSAGE_ID=d9b373ed55a64feb8242e02dbe79a49c", "+", // unit failure result
        "MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15",      // process exited (code=killed / dumped)
    ];

    public static IEnumerable<LogRecord> Read(KernelLogOptions? options = null, ReadStats? stats = null,
        Action<KernelSourceNotice>? notice = null, HostKernelLogSettings? settings = null, CancellationToken cancel = default)
    {
        options ??= new KernelLogOptions();
        settings ??= new HostKernelLogSettings();
        stats ??= new ReadStats();
        notice ??= _ => { };

        // 1. journald
        var journalctl = ExternalCommand.Which(settings.Journalctl);
        if (journalctl is null) notice(new(KernelSourceStatus.Unavailable, "journalctl", "journalctl is not installed."));
        else
        {
            var probe = Probe(journalctl, ["-k", "-b", "-n", "1", "-o", "json", "-q", "--no-pager"]);
            if (probe.Ok)
            {
                var args = new List<string> { "-o", "json", "-q", "--no-pager" };
                if (settings.Since is { } since) args.Add("--since=@" + since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                args.AddRange(JournalMatches);
                var name = "journalctl " + string.Join(' ', args);
                notice(new(KernelSourceStatus.Reading, name, "journald holds kernel messages: reading the journal."));
                string? error = null;
                var lines = ExternalCommand.StreamLines(journalctl, args, settings.Timeout,
                    (code, err) => { if (code != 0) error = $"journalctl exited with {code}: {err.Trim()}"; }, cancel);
                foreach (var r in (KernelLog.Parse(Number(lines, name, stats), name, options.With(sourceIsCurrentBoot: false), stats)))
                    yield return r;
                if (error is not null) notice(new(KernelSourceStatus.Failed, name, error));
                yield break;
            }
            notice(new(KernelSourceStatus.Unavailable, "journalctl", probe.Why ?? "the journal holds no kernel messages."));
        }

        // 2. kernel ring buffer
        var dmesg = ExternalCommand.Which(settings.Dmesg);
        if (dmesg is null) notice(new(KernelSourceStatus.Unavailable, "dmesg", "dmesg (util-linux) is not installed."));
        else
        {
            var name = "dmesg -r";
            var result = ExternalCommand.Run(dmesg, ["-r"], settings.Timeout, cancel);
            if (result.ExitCode == 0 && result.StandardOutput.Length > 0)
            {
                notice(new(KernelSourceStatus.Reading, name, "reading the kernel ring buffer (current boot only)."));
                var lines = LogFileReader.FromText([result.StandardOutput], name);
                foreach (var r in KernelLog.Parse(Number(lines, name, stats), name, options.With(sourceIsCurrentBoot: true), stats))
                    yield return r;
                yield break;
            }
            var err = result.StandardError.Trim();
            if (err.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase) || err.Contains("Permission denied", StringComparison.OrdinalIgnoreCase))
                notice(new(KernelSourceStatus.AccessDenied, name,
                    $"Reading the kernel ring buffer was refused ({err}): kernel.dmesg_restrict=1 lets only processes with CAP_SYSLOG read it.",
                    "Run as root (sudo), or allow everyone with 'sudo sysctl kernel.dmesg_restrict=0', or read the journal as a member of the systemd-journal or adm group. Falling back to /var/log/kern.log and /var/log/messages."));
            else
                notice(new(KernelSourceStatus.Failed, name, result.TimedOut ? "dmesg timed out." : $"dmesg exited with {result.ExitCode}: {err}"));
        }

        // 3. syslog files
        var any = false;
        var dedup = new HashSet<string>(StringComparer.Ordinal);
        foreach (var baseName in settings.Files)
        {
            foreach (var file in RotatedLogSet.Expand(baseName))
            {
                any = true;
                notice(new(KernelSourceStatus.Reading, file, "reading a syslog file."));
                IEnumerator<LogRecord> it;
                try { it = KernelLog.ParseFile(file, options, stats, cancel).GetEnumerator(); }
                catch (UnauthorizedAccessException e) { notice(Denied(file, e)); continue; }
                using (it)
                {
                    while (true)
                    {
                        LogRecord r;
                        try
                        {
                            if (!it.MoveNext()) break;
                            r = it.Current;
                        }
                        catch (UnauthorizedAccessException e) { notice(Denied(file, e)); break; }
                        catch (IOException e) { notice(new(KernelSourceStatus.Failed, file, e.Message)); break; }
                        // kern.log and messages can both hold the same kernel line.
                        if (dedup.Add(Key(r))) yield return r;
                    }
                }
            }
        }
        if (!any)
            notice(new(KernelSourceStatus.Unavailable, string.Join(", ", settings.Files.Select(f => f + "*")),
                "No kernel log source is readable on this host: the journal has no kernel messages, the ring buffer could not be read and there is no syslog kernel file.",
                "Pass a file with -Path (for example a saved 'dmesg' or 'journalctl -k -o json' output)."));
    }

    private static KernelSourceNotice Denied(string file, Exception e) =>
        new(KernelSourceStatus.AccessDenied, file, $"Permission denied reading '{file}': {e.Message}",
            "Run as root, or add your user to the group that owns the log (adm on Debian/Ubuntu).");

    private static (bool Ok, string? Why) Probe(string exe, IReadOnlyList<string> args)
    {
        try
        {
            var r = ExternalCommand.Run(exe, args, TimeSpan.FromSeconds(30));
            if (r.ExitCode == 0 && r.StandardOutput.TrimStart().StartsWith('{')) return (true, null);
            var err = r.StandardError.Trim();
            return (false, err.Length > 0 ? $"journalctl: {err}" : "the journal holds no kernel messages (journald not running, or not reading /dev/kmsg).");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return (false, e.Message);
        }
    }

    private static IEnumerable<LogLine> Number(IEnumerable<string> lines, string source, ReadStats stats)
    {
        long n = 0;
        foreach (var l in lines)
        {
            n++;
            stats.LinesRead++;
            stats.BytesRead += l.Length + 1;
            yield return new LogLine(source, n, l);
        }
    }

    private static IEnumerable<LogLine> Number(IEnumerable<LogLine> lines, string source, ReadStats stats)
    {
        foreach (var l in lines)
        {
            if (l.Text.Length == 0) continue;
            stats.LinesRead++;
            stats.BytesRead += l.Text.Length + 1;
            yield return l;
        }
    }

    private static string Key(LogRecord r) => r switch
    {
        OomKill k => $"oom|{k.Kind}|{k.ProcessId}|{k.Unit}|{k.BootSeconds?.ToString("F3", CultureInfo.InvariantCulture) ?? k.Time?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
        ProcessCrash c => $"crash|{c.Kind}|{c.ProcessId}|{c.Unit}|{c.BootSeconds?.ToString("F3", CultureInfo.InvariantCulture) ?? c.Time?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
        _ => r.Origin,
    };
}
