using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>A backend log found on this host: a file (one member of a rotated set) or a systemd unit's journal.</summary>
/// <param name="Name">File path, or unit name when <paramref name="IsJournalUnit"/>.</param>
/// <param name="Hint">The backend the location suggests, used when detection finds none.</param>
public sealed record BackendLogSource(string Name, bool IsJournalUnit, BackendKind? Hint)
{
    public override string ToString() => IsJournalUnit ? "journalctl -u " + Name : Name;
}

/// <summary>
/// Finds this host's backend logs: /var/log/gunicorn/*, /var/log/php*-fpm.log, /var/log/uwsgi/
/// (and uwsgi/app/) with their rotated and gzipped siblings oldest first, and systemd units that
/// look like gunicorn, php-fpm or uWSGI (by name in the journal, or by ExecStart in the unit file).
/// </summary>
public static partial class BackendLogDiscovery
{
    [GeneratedRegex(@"gunicorn|uwsgi|php[\d.]*-?fpm|uvicorn|puma", RegexOptions.IgnoreCase)]
    private static partial Regex BackendName();

    [GeneratedRegex(@"^ExecStart=.*\b(?<b>gunicorn|uwsgi|php-fpm[\d.]*|php[\d.]+-fpm|uvicorn|puma)\b", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ExecStart();

    [GeneratedRegex(@"(?:\.\d+)?(?:\.gz)?$|-\d{8,10}(?:\.gz)?$")]
    private static partial Regex RotationSuffix();

    public static string LogRoot { get; set; } = "/var/log";

    public static string[] UnitDirectories { get; set; } = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

    /// <summary>Every source found, files first (each rotated set oldest first), then journal units.</summary>
    public static IReadOnlyList<BackendLogSource> Discover(bool includeJournal = true, Action<string>? onNote = null)
    {
        var result = new List<BackendLogSource>();
        result.AddRange(FindFiles());
        if (includeJournal)
            foreach (var unit in FindUnits(onNote)) result.Add(new BackendLogSource(unit, true, HintFor(unit)));
        return result;
    }

    /// <summary>The log files, each rotated set expanded oldest first.</summary>
    public static IEnumerable<BackendLogSource> FindFiles()
    {
        var bases = new List<(string Path, BackendKind Hint)>();
        void AddBases(string dir, string pattern, BackendKind hint)
        {
            if (!Directory.Exists(dir)) return;
            try
            {
                foreach (var f in Directory.EnumerateFiles(dir, pattern).Order(StringComparer.Ordinal))
                {
                    var b = RotationSuffix().Replace(f, "", 1);
                    if (b.EndsWith(".log", StringComparison.Ordinal) || Path.GetFileName(b).Length > 0)
                        if (!bases.Exists(x => x.Path == b)) bases.Add((b, hint));
                }
            }
            catch (UnauthorizedAccessException) { }
            catch (IOException) { }
        }
        AddBases(Path.Combine(LogRoot, "gunicorn"), "*", BackendKind.Gunicorn);
        AddBases(LogRoot, "php*-fpm.log*", BackendKind.PhpFpm);
        AddBases(Path.Combine(LogRoot, "uwsgi"), "*.log*", BackendKind.Uwsgi);
        AddBases(Path.Combine(LogRoot, "uwsgi", "app"), "*.log*", BackendKind.Uwsgi);
        foreach (var (b, hint) in bases)
            foreach (var member in RotatedLogSet.Expand(b))
                yield return new BackendLogSource(member, false, hint);
    }

    /// <summary>Units whose name (in the journal) or ExecStart (in the unit file) names a backend.</summary>
    public static IEnumerable<string> FindUnits(Action<string>? onNote = null)
    {
        var units = new SortedSet<string>(StringComparer.Ordinal);
        var journalctl = ExternalCommand.Which("journalctl");
        if (journalctl is not null)
        {
            try
            {
                var r = ExternalCommand.Run(journalctl, ["-F", "_SYSTEMD_UNIT"], TimeSpan.FromSeconds(30));
                if (r.ExitCode == 0)
                {
                    foreach (var u in r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        if (BackendName().IsMatch(u)) units.Add(u);
                }
                else onNote?.Invoke($"journalctl -F _SYSTEMD_UNIT failed ({r.ExitCode}): {r.StandardError.Trim()}");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                onNote?.Invoke("journalctl could not run: " + e.Message);
            }
        }
        else onNote?.Invoke("journalctl is not installed: systemd units are not searched.");

        foreach (var dir in UnitDirectories)
        {
            if (!Directory.Exists(dir)) continue;
            IEnumerable<string> files;
            try { files = Directory.EnumerateFiles(dir, "*.service").ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var f in files)
            {
                var name = Path.GetFileName(f);
                if (units.Contains(name) || name.Contains('@')) continue;
                try
                {
                    if (new FileInfo(f).Length > 64 * 1024) continue;
                    if (ExecStart().IsMatch(File.ReadAllText(f)) && HasJournal(journalctl, name)) units.Add(name);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        return units;
    }

    // A unit file alone (an installed but never started service) has nothing to read.
    private static bool HasJournal(string? journalctl, string unit)
    {
        if (journalctl is null) return false;
        try { return ExternalCommand.Run(journalctl, ["-u", unit, "-n", "1", "-q", "--no-pager", "-o", "cat"], TimeSpan.FromSeconds(15)).StandardOutput.Length > 0; }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception) { return false; }
    }

    private static BackendKind? HintFor(string unit)
    {
        var u = unit.ToLowerInvariant();
        if (u.Contains("gunicorn")) return BackendKind.Gunicorn;
        if (u.Contains("fpm")) return BackendKind.PhpFpm;
        if (u.Contains("uwsgi")) return BackendKind.Uwsgi;
        if (u.Contains("uvicorn")) return BackendKind.Uvicorn;
        if (u.Contains("puma")) return BackendKind.Puma;
        return null;
    }
}
