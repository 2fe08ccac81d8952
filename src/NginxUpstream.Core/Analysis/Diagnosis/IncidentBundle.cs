using System.Text.RegularExpressions;
using NginxUpstream.Sources;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>What a file in an incident bundle holds, recognised by its content (names lie after a copy).</summary>
public enum BundleFileKind
{
    Unknown, NginxErrorLog, NginxConfigDump, NginxConfig, KernelLogWallClock, KernelLogBootRelative, BackendLog, AccessLog, Ignored,
}

/// <summary>One classified file of a bundle.</summary>
public sealed record BundleFile(string Path, BundleFileKind Kind, string Why);

/// <summary>
/// Sorts the files of a folder copied from another host (error logs, kernel log in any format,
/// backend logs, an nginx -T dump) by content: the first meaningful lines decide. Where the same
/// evidence comes twice (nginx -T and the nginx.conf it printed; dmesg and dmesg --time-format iso)
/// the self-contained one is kept and the other reported as ignored, so nothing counts twice.
/// </summary>
public static partial class IncidentBundle
{
    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(?:emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+: ")]
    private static partial Regex NginxError();

    [GeneratedRegex(@"^# configuration file .+:$|^nginx: the configuration file .+ syntax is ok")]
    private static partial Regex NginxDump();

    [GeneratedRegex(@"^\s*(?:events|http|stream|upstream\s+\S+|server|location\s+.+)\s*\{|^\s*(?:worker_processes|error_log|include|proxy_pass|fastcgi_pass|uwsgi_pass)\s+[^;]*;")]
    private static partial Regex NginxConf();

    [GeneratedRegex(@"^\[\s*\d+\.\d{6}\] |^\d+,\d+,\d+,[^;]*;")]
    private static partial Regex KernelBoot();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[,.]\d+[+-]\d\d:?\d\d |^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] |^\{.*""__REALTIME_TIMESTAMP""|^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: |^<\d+>1 \S+ \S+ kernel ")]
    private static partial Regex KernelWall();

    [GeneratedRegex(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [+-]\d{4})?\] \[\d+\] \[(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\] |^\[\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d(?:\.\d+)?\] (?:DEBUG|NOTICE|WARNING|ERROR|ALERT): |\*\*\* Starting uWSGI|^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4} - |HARAKIRI|^\[\d+\] (?:- )?(?:Worker|Puma) |^\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d{3} (?:SEVERE|WARNING|INFO) |uvicorn|Started server process")]
    private static partial Regex Backend();

    [GeneratedRegex(@"^\S+ \S+ \S+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] ""|^\S+ - +- +\[\d\d/\w{3}/\d{4}")]
    private static partial Regex Access();

    /// <summary>Classifies every file under <paramref name="folder"/> (recursively), in path order.</summary>
    public static List<BundleFile> Classify(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var result = files.Select(ClassifyFile).ToList();
        // Duplicated evidence: keep the self-contained form.
        if (result.Any(f => f.Kind == BundleFileKind.NginxConfigDump))
            Demote(result, BundleFileKind.NginxConfig, "the nginx -T dump in the bundle already holds the configuration");
        if (result.Any(f => f.Kind == BundleFileKind.KernelLogWallClock))
            Demote(result, BundleFileKind.KernelLogBootRelative, "a kernel log with wall-clock times is in the bundle; boot-relative stamps from another host's boot would need -BootTime");
        return result;
    }

    private static void Demote(List<BundleFile> files, BundleFileKind kind, string why)
    {
        for (var i = 0; i < files.Count; i++)
            if (files[i].Kind == kind) files[i] = files[i] with { Kind = BundleFileKind.Ignored, Why = why };
    }

    public static BundleFile ClassifyFile(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !LooksLikeJournal(path))
            return new(path, BundleFileKind.Ignored, "documentation or metadata");
        List<string> lines;
        try
        {
            lines = LogFileReader.ReadLines(path).Select(l => l.Text).Where(t => t.Trim().Length > 0).Take(60).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new(path, BundleFileKind.Unknown, "unreadable: " + e.Message);
        }
        if (lines.Count == 0) return new(path, BundleFileKind.Ignored, "empty");
        if (lines.Any(l => NginxDump().IsMatch(l))) return new(path, BundleFileKind.NginxConfigDump, "nginx -T output");
        var votes = new Dictionary<BundleFileKind, int>();
        foreach (var l in lines)
        {
            var k = NginxError().IsMatch(l) ? BundleFileKind.NginxErrorLog
                : KernelWall().IsMatch(l) ? BundleFileKind.KernelLogWallClock
                : KernelBoot().IsMatch(l) ? BundleFileKind.KernelLogBootRelative
                : Access().IsMatch(l) ? BundleFileKind.AccessLog
                : Backend().IsMatch(l) ? BundleFileKind.BackendLog
                : NginxConf().IsMatch(l) ? BundleFileKind.NginxConfig
                : BundleFileKind.Unknown;
            if (k != BundleFileKind.Unknown) votes[k] = votes.GetValueOrDefault(k) + 1;
        }
        if (votes.Count == 0) return new(path, BundleFileKind.Unknown, "no known log or config format in its first lines");
        var best = votes.OrderByDescending(v => v.Value).First();
        return new(path, best.Key, $"{best.Value} of its first {lines.Count} lines look like {Describe(best.Key)}");
    }

    private static bool LooksLikeJournal(string path)
    {
        try { return File.ReadLines(path).Take(3).Any(l => l.Contains("\"__REALTIME_TIMESTAMP\"", StringComparison.Ordinal)); }
        catch (IOException) { return false; }
    }

    public static string Describe(BundleFileKind k) => k switch
    {
        BundleFileKind.NginxErrorLog => "an nginx error log",
        BundleFileKind.NginxConfigDump => "nginx -T output",
        BundleFileKind.NginxConfig => "an nginx configuration",
        BundleFileKind.KernelLogWallClock => "a kernel log with wall-clock times",
        BundleFileKind.KernelLogBootRelative => "a kernel log with seconds since boot",
        BundleFileKind.BackendLog => "a backend (app server) log",
        BundleFileKind.AccessLog => "an access log",
        BundleFileKind.Ignored => "nothing to read",
        _ => "an unknown format",
    };
}
