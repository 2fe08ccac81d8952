using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Parsing.KernelLog;
using NginxUpstream.Time;
using Xunit;

namespace NginxUpstream.Tests.KernelLog;

/// <summary>Every row of corpus/kernel-log/expected.tsv, field by field, and nothing extra.</summary>
public class KernelCorpusTests
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<LogRecord>> Parsed = new();

    /// <summary>Per host (corpus README): zone, and for boot-relative files the boot's wall clock.</summary>
    internal static KernelLogOptions OptionsFor(string file) => file switch
    {
        "dmesg-raw.txt" or "kmsg.txt" => new KernelLogOptions
        {
            TimeZone = TimeZoneInfo.Utc, BootTime = DateTimeOffset.Parse("2026-06-27T04:58:03.512309Z", CultureInfo.InvariantCulture),
            ReferenceDate = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero),
        },
        "dmesg-T.txt" or "syslog.txt" => new KernelLogOptions { TimeZone = TimeZoneInfo.Utc, ReferenceDate = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero) },
        _ => new KernelLogOptions { TimeZone = TimeZones.Resolve("Europe/Berlin"), ReferenceDate = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero) },
    };

    internal static IReadOnlyList<LogRecord> Parse(string file) =>
        Parsed.GetOrAdd(file, f => Parsing.KernelLog.KernelLog.ParseFile(TestPaths.Corpus("kernel-log", f), OptionsFor(f)).ToList());

    public static IEnumerable<object[]> Rows() =>
        File.ReadLines(TestPaths.Corpus("kernel-log", "expected.tsv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split('\t')).Select(c => new object[] { c[0], int.Parse(c[1], CultureInfo.InvariantCulture), string.Join('\t', c) });

    public static IEnumerable<object[]> Files() =>
        Rows().Select(r => (string)r[0]).Distinct().Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Rows))]
    public void ExpectedRow(string file, int line, string row)
    {
        var c = row.Split('\t');
        var (host, boot, kind, pid, process, cg, anon, bootTs, wall) = (c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
        var matches = Parse(file).Where(r => r.LineNumber == line).ToList();
        Assert.True(matches.Count == 1, $"{file}:{line}: expected one record, found {matches.Count}");
        var r = matches[0];
        Assert.Equal(kind, KindOf(r));

        var (rPid, rName, rCg, rAnon, rBoot, rTime, rHost, rBootId) = r switch
        {
            OomKill k => (k.ProcessId, k.ProcessName, kind.StartsWith("systemd-", StringComparison.Ordinal) && kind != "systemd-oomd-kill" ? k.Unit : k.TaskCgroup,
                k.AnonRssKb, k.BootSeconds, k.Time, k.HostName, k.BootId),
            ProcessCrash p => (p.ProcessId, p.ProcessName, p.Unit, (long?)null, p.BootSeconds, p.Time, p.HostName, p.BootId),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(Dash(pid), rPid?.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Dash(process) is { } pr ? Regex.Replace(pr, @"\\x([0-9a-f]{2})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()) : null, rName);
        Assert.Equal(Dash(cg), rCg);
        Assert.Equal(Dash(anon), rAnon?.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Dash(bootTs), rBoot?.ToString("F6", CultureInfo.InvariantCulture));

        var expectedWall = wall.Split(' ')[0];
        Assert.NotNull(rTime);
        var utc = rTime!.Value.ToUniversalTime();
        var shown = expectedWall.Contains('.') ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
                                              : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(expectedWall, shown);

        if (file.StartsWith("journal", StringComparison.Ordinal) || file == "syslog.txt") Assert.Equal(host, rHost);
        if (Regex.IsMatch(boot, "^[0-9a-f]{32}$")) Assert.Equal(boot, rBootId);
        if (file == "journalctl-k-short.txt") Assert.Equal(boot == "B0" ? "aab96a25c8159e3406da31dc04959c77" : null, rBootId);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void NothingExtra(string file)
    {
        var expected = Rows().Where(r => (string)r[0] == file).Select(r => (long)(int)r[1]).OrderBy(x => x).ToList();
        var actual = Parse(file).Select(r => r.LineNumber).OrderBy(x => x).ToList();
        Assert.Equal(expected, actual);
    }

    private static string? Dash(string s) => s == "-" ? null : s;

    internal static string KindOf(LogRecord r) => r switch
    {
        OomKill k => k.Kind switch
        {
            OomKillKind.Global => "oom-global", OomKillKind.Memcg => "oom-memcg", OomKillKind.MemcgGroup => "oom-memcg-group",
            OomKillKind.SystemdUnitOom => "systemd-oom-unit", OomKillKind.SystemdUnitFailed => "systemd-unit-failed",
            OomKillKind.SystemdOomd => "systemd-oomd-kill", OomKillKind.Earlyoom => "earlyoom-kill", _ => "oom-unknown",
        },
        ProcessCrash p => p.Kind switch
        {
            CrashKind.Segfault => "segfault", CrashKind.GeneralProtection => "gpf", CrashKind.Trap => "trap",
            CrashKind.KilledBySignal when p.Unit is not null => "systemd-main-killed", CrashKind.HiddenMessage => "blob-hidden", _ => "crash-other",
        },
        _ => "?",
    };
}
