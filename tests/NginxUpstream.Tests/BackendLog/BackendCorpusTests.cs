using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Parsing.BackendLog;
using Xunit;

namespace NginxUpstream.Tests.BackendLog;

/// <summary>Every row of corpus/backend-logs/expected.tsv, field by field.</summary>
public class BackendCorpusTests
{
    public static IEnumerable<object[]> Rows() => BackendCorpus.Rows.Select(r => new object[] { r });

    [Theory]
    [MemberData(nameof(Rows))]
    public void EveryExpectedEventIsFound(ExpectedBackendRow row)
    {
        var ev = BackendCorpus.Match(row);
        Assert.True(ev is not null, $"no {row.Kind} event for pid {row.Pid} in {row.File} (in order after the previous row)");

        // Backend from the file.
        var backend = row.File switch
        {
            "gunicorn-error.log" => BackendKind.Gunicorn,
            "php-fpm.log" => BackendKind.PhpFpm,
            "uwsgi.log" => BackendKind.Uwsgi,
            "node-app.log" => BackendKind.Node,
            "puma.log" => BackendKind.Puma,
            _ => BackendKind.Tomcat,
        };
        Assert.Equal(backend, ev!.Backend);
        Assert.Contains(ev.Kind, BackendCorpus.KindMap[row.Kind]);

        // Time: '-' means none (never invented); an offset only when the line had one.
        if (row.Time == "-") Assert.Null(ev.Time);
        else if (Regex.IsMatch(row.Time, @"([+-]\d\d:\d\d|Z)$"))
        {
            Assert.Equal(DateTimeOffset.Parse(row.Time, CultureInfo.InvariantCulture), ev.Time);
            Assert.False(ev.ZoneAssumed);
        }
        else
        {
            Assert.NotNull(ev.Time);
            Assert.Equal(DateTime.Parse(row.Time, CultureInfo.InvariantCulture), ev.Time!.Value.DateTime);
            Assert.Equal(TimeSpan.Zero, ev.Time.Value.Offset); // the -TimeZone given (UTC)
            Assert.True(ev.ZoneAssumed);
        }

        // pid: the subject, not the writer.
        Assert.Equal(row.Pid == "-" ? null : int.Parse(row.Pid, CultureInfo.InvariantCulture), ev.ProcessId);

        // Detail notes that name fields.
        var d = row.Detail;
        if (Regex.Match(d, @"logger_pid=(\d+)") is { Success: true } lp) Assert.Equal(int.Parse(lp.Groups[1].Value), ev.WriterProcessId);
        if (Regex.Match(d, @"\bmaster=(\d+)") is { Success: true } mp) Assert.Equal(int.Parse(mp.Groups[1].Value), ev.MasterProcessId);
        if (Regex.Match(d, @"\bgunicorn=(\S+)") is { Success: true } gv) Assert.Equal(gv.Groups[1].Value, ev.BackendVersion);
        if (Regex.Match(d, @"(?:signal=|signal )(\d+)") is { Success: true } sn) Assert.Equal(int.Parse(sn.Groups[1].Value), ev.SignalNumber);
        if (Regex.Match(d, @"\((SIG[A-Z]+)") is { Success: true } sname) Assert.Equal(sname.Groups[1].Value, ev.Signal);
        if (Regex.Match(d, @"(SIG[A-Z]+)\((\d+)\)\+core") is { Success: true } raw)
        {
            Assert.Equal(raw.Groups[1].Value, ev.Signal);
            Assert.Equal(int.Parse(raw.Groups[2].Value), ev.SignalNumber);
        }
        Assert.Equal(d.Contains("core dumped") || d.Contains("core-dump"), ev.CoreDumped);
        if (Regex.Match(d, @"^\[pool (\w+)\]") is { Success: true } pool) Assert.Equal(pool.Groups[1].Value, ev.Pool);
        if (Regex.Match(d, @"worker (\d+) \((?:new )?pid") is { Success: true } wid) Assert.Equal(int.Parse(wid.Groups[1].Value), ev.WorkerId);

        // The timeout interpretation.
        if (Regex.IsMatch(d, "NOT OOM|consequence of the timeout|from harakiri|after timeout abort|raised by handle_abort"))
            Assert.True(ev.PartOfTimeout, "should be part of the preceding timeout");
        if (Regex.IsMatch(d, "likely kernel OOM|external kill|external SIGKILL"))
            Assert.False(ev.PartOfTimeout, "no timeout precedes it");
        if (d.Contains("22.0+ sync worker answers HTTP 500")) Assert.Contains("HTTP 500", ev.Detail);
        if (Regex.Match(d, @"exc=(\w+(?::[^;(]*)?)") is { Success: true } exc) Assert.Contains("exc=" + exc.Groups[1].Value.Trim(), ev.Detail);
        if (Regex.Match(d, @"request '(\S+ \S+)'") is { Success: true } req) Assert.Equal(req.Groups[1].Value, ev.Request);

        // The raw text holds every line the row names (folded multi-line records).
        foreach (var part in d.Split(';')[0].Split(" / "))
        {
            if (part.StartsWith("inferred", StringComparison.Ordinal)) continue;
            var head = Regex.Replace(part.Trim(), @"^\[pool \w+\] ", "");
            head = head[..Math.Min(12, head.Length)];
            Assert.Contains(head, ev.Line);
        }
        Assert.True(ev.LineNumber > 0);
        Assert.Equal(BackendCorpus.PathOf(row.File), ev.Source);
    }

    public static IEnumerable<object[]> Files() => BackendCorpus.Rows.Select(r => r.File).Distinct().Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Files))]
    public void EventsKeepFileOrderAndExtrasAreOnlyStartupLines(string file)
    {
        var events = BackendCorpus.EventsOf(file);
        for (var i = 1; i < events.Count; i++) Assert.True(events[i].LineNumber >= events[i - 1].LineNumber, $"event {i} out of order");
        var matched = BackendCorpus.Rows.Where(r => r.File == file).Select(BackendCorpus.Match).Where(e => e is not null).ToHashSet();
        var extras = events.Where(e => !matched.Contains(e)).ToList();
        Assert.All(extras, e => Assert.Equal(BackendEventKind.ListenerStarted, e.Kind));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FormatIsDetectedPerFile(string file)
    {
        var expected = file switch
        {
            "gunicorn-error.log" => BackendKind.Gunicorn,
            "php-fpm.log" => BackendKind.PhpFpm,
            "uwsgi.log" => BackendKind.Uwsgi,
            "node-app.log" => BackendKind.Node,
            "puma.log" => BackendKind.Puma,
            _ => BackendKind.Tomcat,
        };
        Assert.Equal(expected, BackendLogDetector.Detect(File.ReadLines(BackendCorpus.PathOf(file))));
    }
}
