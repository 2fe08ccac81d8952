using NginxUpstream.Model;

namespace NginxUpstream.Tests.Export;

/// <summary>One fully populated object of each exportable type.</summary>
public static class Samples
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 17, 3, TimeSpan.FromHours(1));

    public static UpstreamError Error() => new()
    {
        Source = "/var/log/nginx/error.log", LineNumber = 42,
        Line = "2026/11/27 00:17:03 [error] 1201#1201: *77 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: \"POST /api/orders HTTP/1.1\", upstream: \"http://127.0.0.1:8000/api/orders\", host: \"localhost\"",
        Time = T0, Level = NginxLogLevel.Error, ProcessId = 1201, ThreadId = 1201, ConnectionId = 77,
        Kind = UpstreamErrorKind.Reset, Side = ErrorSide.Upstream, Message = "recv() failed", Syscall = "recv",
        Errno = 104, ErrnoText = "Connection reset by peer", ErrnoName = "ECONNRESET",
        Action = "reading response header from upstream", Phase = UpstreamPhase.ReadingResponseHeaderFromUpstream,
        ContextKind = LogContextKind.Http, Client = "127.0.0.1", Server = "_", Request = "POST /api/orders HTTP/1.1",
        Method = "POST", Uri = "/api/orders", Protocol = "HTTP/1.1", Subrequest = "/auth",
        Upstream = "http://127.0.0.1:8000/api/orders", UpstreamScheme = "http", UpstreamAddress = "127.0.0.1:8000",
        Host = "localhost", Referrer = "http://x/\"quoted\", host: \"y\"",
        Extra = new Dictionary<string, string> { ["bytes"] = "1/2", ["ssl_error"] = "x" },
        Truncated = true, IsUpstreamRelated = true,
    };

    public static OomKill Oom() => new()
    {
        Source = "journalctl -k -o json", LineNumber = 9, Line = "Memory cgroup out of memory: Killed process 4242 (gunicorn) total-vm:1000kB",
        Time = T0.AddSeconds(-1), BootSeconds = 12345.678901, BootId = "abc", HostName = "web1", Killer = OomKiller.Kernel,
        ProcessId = 4242, ProcessName = "gunicorn", Uid = 33, Constraint = "memcg", MemoryCgroup = "/system.slice/app.service",
        TaskCgroup = "/system.slice/app.service", Unit = "app.service", AnonRssKb = 512000, FileRssKb = 100, ShmemRssKb = 0,
        TotalVmKb = 900000, OomScoreAdj = -100, TriggeredBy = "gunicorn", TriggeredByProcessId = 4242,
    };

    public static ProcessCrash Crash() => new()
    {
        Source = "/var/log/kern.log", LineNumber = 3, Line = "php-fpm8.2[999]: segfault at 0 ip 0 sp 0 error 4",
        Time = T0, BootSeconds = 1.5, BootId = "b", HostName = "h", Kind = CrashKind.Segfault, ProcessId = 999,
        ProcessName = "php-fpm8.2", Signal = "SIGSEGV", Unit = "php8.2-fpm.service", Detail = "error 4",
    };

    public static BackendEvent Backend() => new()
    {
        Source = "/var/log/gunicorn/error.log", LineNumber = 120, Line = "[2026-11-27 00:17:03 +0100] [100] [CRITICAL] WORKER TIMEOUT (pid:4242)",
        Time = T0, Backend = BackendKind.Gunicorn, Kind = BackendEventKind.WorkerTimeout, ProcessId = 4242, MasterProcessId = 100,
        Signal = "SIGKILL", ExitCode = 1, Detail = "timeout 30s", PartOfTimeout = true,
    };

    public static ConfigFinding Config() => new()
    {
        RuleId = "KA-IDLE", Severity = FindingSeverity.Error, Title = "keepalive_timeout >= backend idle timeout",
        Detail = "The backend closes idle connections first.", File = "/etc/nginx/conf.d/app.conf", Line = 3,
        Context = "http > upstream app", Upstream = "app", Fix = "keepalive_timeout 1s;",
        Involved = new[] { "/etc/nginx/conf.d/app.conf:3", "/etc/nginx/conf.d/app.conf:5" }, UsedBy = new[] { "http > server _ > location /api" },
    };

    public static NginxDirective Directive() => new()
    {
        Name = "upstream", Args = new[] { "app" }, File = "/etc/nginx/conf.d/app.conf", Line = 1, Context = "http",
        Block = new[]
        {
            new NginxDirective { Name = "server", Args = new[] { "127.0.0.1:8000" }, File = "/etc/nginx/conf.d/app.conf", Line = 2, Context = "http > upstream app" },
            new NginxDirective { Name = "keepalive", Args = new[] { "16" }, File = "/etc/nginx/conf.d/app.conf", Line = 3, Context = "http > upstream app", Block = Array.Empty<NginxDirective>() },
        },
    };

    public static ResetDiagnosis Diagnosis() => new()
    {
        Upstream = "127.0.0.1:8000", UpstreamUrl = "http://127.0.0.1:8000/api/orders", Start = T0, End = T0.AddSeconds(4), ErrorCount = 3,
        Kinds = new[] { UpstreamErrorKind.Reset, UpstreamErrorKind.PrematureClose }, Cause = ResetCause.BackendOomKilled,
        Confidence = 0.93, ConfidenceLevel = ConfidenceLevel.High,
        Hypotheses = new[]
        {
            new Hypothesis { Id = "RC-OOM", Cause = ResetCause.BackendOomKilled, Score = 0.93, Reason = "gunicorn[4242] was OOM-killed 1 s before the errors.", Evidence = new[] { "journalctl -k -o json:9" }, ErrorsExplained = 3 },
            new Hypothesis { Id = "RC-KEEPALIVE", Cause = ResetCause.StaleKeepalive, Score = 0.1, Reason = "No keepalive evidence." },
        },
        Evidence = new[]
        {
            new DiagnosisEvidence { Kind = "OomKill", Source = "journalctl -k -o json", LineNumber = 9, Citation = "journalctl -k -o json:9", Time = T0, Summary = "OOM kill of gunicorn[4242]", Line = "Killed process 4242", Supports = new[] { "RC-OOM" } },
        },
        AffectedRequests = new[] { new AffectedRequests { Method = "POST", Status = "502", Count = 2 }, new AffectedRequests { Method = "GET", Status = "502", Count = 1 } },
        ErrorSamples = new[] { "/var/log/nginx/error.log:42" },
        Recommendation = new Recommendation { Summary = "Give the workers memory headroom.", Steps = new[] { "Raise MemoryMax." }, Changes = new[] { "systemctl set-property app.service MemoryMax=2G" } },
        NextStep = "Check memory growth.", SourcesConsidered = new[] { "kernel log: 1 OOM kill" },
    };

    public static IEnumerable<object[]> All() => new object[][]
    {
        new object[] { Error() }, new object[] { Oom() }, new object[] { Crash() }, new object[] { Backend() },
        new object[] { Config() }, new object[] { Directive() }, new object[] { Diagnosis() },
    };
}
