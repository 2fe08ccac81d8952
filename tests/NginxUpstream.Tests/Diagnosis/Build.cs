using NginxUpstream.Model;

namespace NginxUpstream.Tests.Diagnosis;

/// <summary>Hand-made records, shaped as the parsers emit them.</summary>
internal static class Build
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 17, 0, TimeSpan.Zero);
    private static long _line;

    public static UpstreamError Error(double at, UpstreamErrorKind kind, string method = "GET", long? conn = null, string peer = "127.0.0.1:8000",
        UpstreamPhase phase = UpstreamPhase.ReadingResponseHeaderFromUpstream, string? errnoName = null, int? errno = null, string uri = "/api/x")
    {
        (errno, errnoName) = (errno, errnoName) switch
        {
            (null, null) => kind switch
            {
                UpstreamErrorKind.Reset => (104, "ECONNRESET"),
                UpstreamErrorKind.Refused => (111, "ECONNREFUSED"),
                UpstreamErrorKind.TimedOut => (110, "ETIMEDOUT"),
                _ => ((int?)null, (string?)null),
            },
            _ => (errno, errnoName),
        };
        return new UpstreamError
        {
            Source = "/var/log/nginx/error.log", LineNumber = ++_line, Line = $"line {_line}", Time = T0.AddSeconds(at), Level = NginxLogLevel.Error,
            ProcessId = 1201, ThreadId = 1201, ConnectionId = conn ?? _line * 2 + 1, Kind = kind, Side = ErrorSide.Upstream,
            Message = kind switch { UpstreamErrorKind.Reset => "recv() failed", UpstreamErrorKind.PrematureClose => "upstream prematurely closed connection", UpstreamErrorKind.Refused => $"connect() failed", UpstreamErrorKind.TimedOut => "upstream timed out", _ => kind.ToString() },
            Errno = errno, ErrnoName = errnoName, ErrnoText = errnoName, Phase = phase, Action = phase.ToString(), ContextKind = LogContextKind.Http,
            Client = "127.0.0.1", Server = "_", Request = $"{method} {uri} HTTP/1.1", Method = method, Uri = uri, Protocol = "HTTP/1.1",
            Upstream = $"http://{peer}{uri}", UpstreamScheme = "http", UpstreamAddress = peer, Host = "localhost", IsUpstreamRelated = true,
        };
    }

    public static UpstreamError BodyBuffered(double at, long conn, string method = "POST", string uri = "/upload") => new()
    {
        Source = "/var/log/nginx/error.log", LineNumber = ++_line, Time = T0.AddSeconds(at), Level = NginxLogLevel.Warn, ConnectionId = conn,
        Kind = UpstreamErrorKind.BodyBuffered, Side = ErrorSide.None, Message = "a client request body is buffered to a temporary file /var/lib/nginx/body/0000000001",
        Request = $"{method} {uri} HTTP/1.1", Method = method, Uri = uri, Client = "127.0.0.1", Server = "_",
    };

    public static OomKill Oom(double at, string name = "gunicorn", int pid = 4242, string? cgroup = "/system.slice/app.service") => new()
    {
        Source = "journalctl -k", LineNumber = ++_line, Time = T0.AddSeconds(at), ProcessId = pid, ProcessName = name, Killer = OomKiller.Kernel,
        Constraint = "memcg", MemoryCgroup = cgroup, TaskCgroup = cgroup, AnonRssKb = 500_000,
    };

    public static ProcessCrash Crash(double at, CrashKind kind, string name = "php-fpm8.2", int pid = 999, string? signal = "SIGSEGV") => new()
    {
        Source = "/var/log/kern.log", LineNumber = ++_line, Time = T0.AddSeconds(at), Kind = kind, ProcessId = pid, ProcessName = name, Signal = signal,
    };

    public static BackendEvent Backend(double? at, BackendEventKind kind, int pid = 4242, string? signal = null, bool partOfTimeout = false,
        BackendKind backend = BackendKind.Gunicorn, string? detail = null) => new()
    {
        Source = "/var/log/gunicorn/error.log", LineNumber = ++_line, Time = at is null ? null : T0.AddSeconds(at.Value), Backend = backend, Kind = kind,
        ProcessId = pid, MasterProcessId = 100, Signal = signal, PartOfTimeout = partOfTimeout, Detail = detail,
    };

    public static ConfigFinding Finding(string rule, string upstream = "app") => new()
    {
        RuleId = rule, Severity = FindingSeverity.Error, Title = rule + " title", Detail = "why", File = "/etc/nginx/conf.d/app.conf", Line = 3,
        Upstream = upstream, Fix = "keepalive_timeout 1s;",
    };

    public static NginxDirective UpstreamBlock(string name = "app", string server = "127.0.0.1:8000", bool keepalive = true, int servers = 1) => new()
    {
        Name = "upstream", Args = new[] { name }, File = "/etc/nginx/conf.d/app.conf", Line = 1, Context = "http",
        Block = Enumerable.Range(0, servers).Select(i => new NginxDirective { Name = "server", Args = new[] { i == 0 ? server : $"10.0.0.{i}:8000" }, File = "/etc/nginx/conf.d/app.conf", Line = 2 + i })
            .Concat(keepalive ? new[] { new NginxDirective { Name = "keepalive", Args = new[] { "16" }, File = "/etc/nginx/conf.d/app.conf", Line = 9 } } : Array.Empty<NginxDirective>()).ToArray(),
    };
}
