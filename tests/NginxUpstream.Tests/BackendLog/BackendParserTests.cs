using NginxUpstream.Model;
using NginxUpstream.Parsing.BackendLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.BackendLog;

/// <summary>Version variants and rules the corpus does not show.</summary>
public class BackendParserTests
{
    private static readonly BackendLogOptions Utc = new() { Zone = TimeZoneInfo.Utc };

    private static List<BackendEvent> Parse(BackendKind? kind, params string[] lines) =>
        BackendLogReader.ReadText(lines, "t", new BackendLogOptions { Zone = TimeZoneInfo.Utc, Backend = kind }).ToList();

    [Fact]
    public void Gunicorn201SignalWordingAndTimeoutEscalation()
    {
        var e = Parse(null,
            "[2026-11-27 01:00:00 +0100] [100] [INFO] Starting gunicorn 20.1.0",
            "[2026-11-27 01:00:40 +0100] [100] [CRITICAL] WORKER TIMEOUT (pid:101)",
            "[2026-11-27 01:00:41 +0100] [100] [WARNING] Worker with pid 101 was terminated due to signal 9",
            "[2026-11-27 01:05:00 +0100] [100] [WARNING] Worker with pid 102 was terminated due to signal 9");
        var timeout = e.Single(x => x.Kind == BackendEventKind.WorkerTimeout);
        Assert.Equal(101, timeout.ProcessId);
        Assert.Equal(100, timeout.MasterProcessId);
        Assert.Contains("20.1.0: the worker dies", timeout.Detail);
        var kills = e.Where(x => x.Kind == BackendEventKind.WorkerKilled).ToList();
        Assert.Equal(2, kills.Count);
        Assert.True(kills[0].PartOfTimeout);
        Assert.Equal("SIGKILL", kills[0].Signal);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 0, 41, TimeSpan.FromHours(1)), kills[0].Time);
        Assert.False(kills[1].PartOfTimeout);
        Assert.Contains("OOM", kills[1].Detail);
    }

    [Fact]
    public void GunicornWarningsThatNoRuleNamesAreWarnings()
    {
        var e = Parse(BackendKind.Gunicorn,
            "[2026-11-27 01:22:36 +0000] [5886] [WARNING] upload of 8388608 bytes over the 1048576-byte limit: closing the connection",
            "[2026-11-27 01:22:37 +0000] [5886] [INFO] just information");
        var w = Assert.Single(e);
        Assert.Equal(BackendEventKind.Warning, w.Kind);
        Assert.Equal(5886, w.ProcessId);
        Assert.Contains("closing the connection", w.Detail);
    }

    [Fact]
    public void SigkillLongAfterTheTimeoutIsNotPartOfIt()
    {
        var e = Parse(BackendKind.Gunicorn,
            "[2026-11-27 01:00:40 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:101)",
            "[2026-11-27 01:00:50 +0000] [100] [ERROR] Worker (pid:101) was sent SIGKILL! Perhaps out of memory?");
        Assert.False(e[1].PartOfTimeout);
    }

    [Fact]
    public void Gunicorn21DuplicateExitLinesAreOneEvent()
    {
        var e = Parse(null,
            "[2026-11-27 01:00:40 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:101)",
            "[2026-11-27 01:00:40 +0000] [101] [INFO] Worker exiting (pid: 101)",
            "[2026-11-27 01:00:41 +0000] [100] [ERROR] Worker (pid:101) exited with code 1",
            "[2026-11-27 01:00:41 +0000] [100] [ERROR] Worker (pid:101) exited with code 1.",
            "[2026-11-27 01:00:41 +0000] [105] [INFO] Booting worker with pid: 105");
        Assert.Equal([BackendEventKind.WorkerTimeout, BackendEventKind.WorkerExited, BackendEventKind.WorkerExited, BackendEventKind.WorkerBooted], e.Select(x => x.Kind));
        Assert.Equal(1, e[2].ExitCode);
        Assert.Contains("exited with code 1.", e[2].Line);
        Assert.True(e[1].PartOfTimeout && e[2].PartOfTimeout);
        Assert.Equal(100, e[3].MasterProcessId);
    }

    [Fact]
    public void Gunicorn24SignalNamesAnd19Prefix()
    {
        var e = Parse(BackendKind.Gunicorn,
            "[2026-11-27 01:00:40 -0500] [100] [WARNING] Worker (pid:101) was sent SIGSEGV!",
            "[2026-11-27 01:00:41 -0500] [100] [INFO] Worker (pid:102) was sent SIGTERM!",
            "2014-06-27 15:09:33 [2841] [INFO] Booting worker with pid: 2841");
        Assert.Equal(BackendEventKind.WorkerCrashed, e[0].Kind);
        Assert.Equal(11, e[0].SignalNumber);
        Assert.Equal(TimeSpan.FromHours(-5), e[0].Time!.Value.Offset);
        Assert.Equal(BackendEventKind.WorkerExited, e[1].Kind); // the master's graceful SIGTERM
        Assert.Equal("SIGTERM", e[1].Signal);
        Assert.True(e[2].ZoneAssumed);
        Assert.Equal(new DateTimeOffset(2014, 6, 27, 15, 9, 33, TimeSpan.Zero), e[2].Time);
    }

    [Fact]
    public void PhpFpmOndemandCoreDumpAndQuit()
    {
        var e = Parse(null,
            "[27-Nov-2026 01:00:00] WARNING: [pool api] server reached max_children setting (4), consider raising it",
            "[27-Nov-2026 01:00:01] WARNING: [pool www] child 7 exited on signal 7 (SIGBUS - core dumped) after 3.000000 seconds from start",
            "[27-Nov-2026 01:00:02] NOTICE: [pool www] child 8 exited on signal 3 (SIGQUIT) after 9.000000 seconds from start",
            "[27-Nov-2026 01:00:03] WARNING: [pool www] child 9 exited with code 255 after 9.000000 seconds from start");
        Assert.Equal(BackendEventKind.MaxChildrenReached, e[0].Kind);
        Assert.Equal("api", e[0].Pool);
        Assert.Equal(BackendEventKind.WorkerCrashed, e[1].Kind);
        Assert.True(e[1].CoreDumped);
        Assert.Equal("SIGBUS", e[1].Signal);
        Assert.Equal(BackendEventKind.WorkerExited, e[2].Kind);
        Assert.Equal(255, e[3].ExitCode);
        Assert.Equal(BackendEventKind.WorkerExited, e[3].Kind);
    }

    [Fact]
    public void UwsgiMysteriouslyAndPaddedCtime()
    {
        var e = Parse(null,
            "*** Starting uWSGI 2.0.30 (64bit) on [Sat Jun  6 15:00:02 2026] ***",
            "spawned uWSGI master process (pid: 10)",
            "Sat Jun  6 15:07:45 2026 - *** HARAKIRI ON WORKER 1 (pid: 11, try: 1) ***",
            "DAMN ! worker 1 (pid: 11) MYSTERIOUSLY killed by signal 9 :( trying respawn ...",
            "DAMN ! worker 2 (pid: 12) MISTERIOUSLY killed by signal 11 :( trying respawn ...");
        Assert.Equal(new DateTime(2026, 6, 6, 15, 7, 45), e[1].Time!.Value.DateTime);
        Assert.Equal(BackendEventKind.Harakiri, e[1].Kind);
        Assert.True(e[2].PartOfTimeout);
        Assert.Null(e[2].Time);
        Assert.Equal(BackendEventKind.WorkerCrashed, e[3].Kind);
        Assert.False(e[3].PartOfTimeout);
        Assert.Equal("2.0.30", e[3].BackendVersion);
        Assert.Equal(10, e[3].MasterProcessId);
    }

    [Fact]
    public void PumaPhasedRestartIsNotAVanishedWorker()
    {
        var e = Parse(null,
            "[1] - Worker 0 (PID: 10) booted in 0.5s, phase: 0",
            "[1] - Worker 0 (PID: 20) booted in 0.5s, phase: 1");
        Assert.DoesNotContain(e, x => x.Kind == BackendEventKind.WorkerVanished);
    }

    [Fact]
    public void JournalEnvelopeGivesTimeOnlyWhenTheLineHasNone()
    {
        var line = """{"MESSAGE":"[NOTICE] [pool www] child 5 started","__REALTIME_TIMESTAMP":"1782572805123456","_PID":"4"}""";
        var lines = JournalReader.FromJson(line, "journalctl -u php8.2-fpm.service", 1).ToList();
        var e = BackendLogReader.Parse(lines, "j", Utc).Single();
        Assert.Equal(BackendEventKind.WorkerBooted, e.Kind);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1782572805123).AddTicks(4560), e.Time);
        Assert.Equal(4, e.WriterProcessId);
        Assert.Equal(5, e.ProcessId);

        var iso = Parse(null, "2026-06-27T15:09:33+0000 host gunicorn[2835]: [2026-06-27 17:09:33 +0200] [2835] [CRITICAL] WORKER TIMEOUT (pid:2841)").Single();
        Assert.Equal(TimeSpan.FromHours(2), iso.Time!.Value.Offset);
        Assert.Equal(2841, iso.ProcessId);
    }

    [Fact]
    public void UnknownFormatThrowsAndEmptyInputYieldsNothing()
    {
        Assert.Throws<BackendFormatException>(() => Parse(null, "hello", "world"));
        Assert.Empty(Parse(null));
        // Forced format: unrecognised lines are counted, not thrown.
        var stats = new ReadStats();
        var none = BackendLogReader.ReadText(["hello"], "t", new BackendLogOptions { Backend = BackendKind.PhpFpm }, stats).ToList();
        Assert.Empty(none);
        Assert.Equal(1, stats.SkippedTotal);
    }

    [Fact]
    public void GzipAndRotatedDiscovery()
    {
        var root = Directory.CreateTempSubdirectory("nu-bk").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "gunicorn"));
            var src = File.ReadAllBytes(BackendCorpus.PathOf("gunicorn-error.log"));
            using (var gz = new System.IO.Compression.GZipStream(File.Create(Path.Combine(root, "gunicorn", "error.log.2.gz")), System.IO.Compression.CompressionLevel.Fastest))
                gz.Write(src);
            File.WriteAllBytes(Path.Combine(root, "gunicorn", "error.log.1"), src);
            File.WriteAllText(Path.Combine(root, "gunicorn", "error.log"), "");
            File.WriteAllBytes(Path.Combine(root, "php8.2-fpm.log"), File.ReadAllBytes(BackendCorpus.PathOf("php-fpm.log")));
            BackendLogDiscovery.LogRoot = root;
            var found = BackendLogDiscovery.FindFiles().ToList();
            Assert.Equal(["error.log.2.gz", "error.log.1", "error.log", "php8.2-fpm.log"], found.Select(f => Path.GetFileName(f.Name)));
            Assert.Equal(BackendKind.Gunicorn, found[0].Hint);
            var fromGz = BackendLogReader.Read(found[0], Utc).ToList();
            Assert.Equal(BackendCorpus.EventsOf("gunicorn-error.log").Count, fromGz.Count);
        }
        finally
        {
            BackendLogDiscovery.LogRoot = "/var/log";
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void UvicornLinesHaveNoTimeAndTracebacksFold()
    {
        var e = Parse(null,
            "\u001b[32mINFO\u001b[0m:     Started server process [812]",
            "INFO:     Waiting for application startup.",
            "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
            "INFO:     127.0.0.1:50312 - \"GET / HTTP/1.1\" 200 OK",
            "ERROR:    Exception in ASGI application",
            "Traceback (most recent call last):",
            "  File \"/app/main.py\", line 3, in app",
            "ZeroDivisionError: division by zero",
            "WARNING:  Maximum request limit of 1000 exceeded. Terminating process.",
            "INFO:     Finished server process [812]");
        Assert.Equal([BackendEventKind.WorkerBooted, BackendEventKind.ListenerStarted, BackendEventKind.Error, BackendEventKind.MaxRequestsRecycle, BackendEventKind.WorkerExited], e.Select(x => x.Kind));
        Assert.All(e, x => Assert.Null(x.Time));
        Assert.Equal(812, e[0].ProcessId);
        Assert.Contains("exc=ZeroDivisionError: division by zero", e[2].Detail);
        Assert.Equal(4, e[2].Line!.Split('\n').Length);
    }

    [Fact]
    public void TomcatLocalisedLevelAndStackFold()
    {
        var e = Parse(null,
            "27-Jun-2026 15:11:47.530 SCHWERWIEGEND [http-nio-8080-exec-9] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [dispatcher] in context with path [] threw exception",
            "\tjava.lang.NullPointerException: boom",
            "\t\tat com.example.web.OrderServlet.doGet(OrderServlet.java:41)");
        var x = Assert.Single(e);
        Assert.Equal(BackendEventKind.Error, x.Kind);
        Assert.Contains("java.lang.NullPointerException: boom", x.Detail);
        Assert.Equal(new DateTime(2026, 6, 27, 15, 11, 47, 530), x.Time!.Value.DateTime);
    }
}
