namespace NginxUpstream.Model;

/// <summary>Application server behind nginx.</summary>
public enum BackendKind { Unknown, Gunicorn, PhpFpm, Uwsgi, Puma, Tomcat, Uvicorn, Node }

/// <summary>What the backend logged (owned by the backend-log engine, issue 6).</summary>
public enum BackendEventKind
{
    /// <summary>A recognised line that fits no other kind (php-fpm "seems busy", gunicorn TTIN ...).</summary>
    Other,
    /// <summary>The master killed a silent worker: gunicorn WORKER TIMEOUT, Puma "Terminating timed out worker".</summary>
    WorkerTimeout,
    /// <summary>A worker died of a signal sent to it (SIGKILL, SIGTERM, ...); see Signal and PartOfTimeout.</summary>
    WorkerKilled,
    /// <summary>A worker ended without a signal (exit code, "Worker exiting", uWSGI planned kill, php-fpm SIGQUIT stop).</summary>
    WorkerExited,
    WorkerBooted,
    /// <summary>Planned recycle: gunicorn max_requests, php-fpm exit code 0, uWSGI "The work of process N is done".</summary>
    MaxRequestsRecycle,
    /// <summary>php-fpm pm.max_children (or process.max) reached.</summary>
    MaxChildrenReached,
    /// <summary>php-fpm request_terminate_timeout: "execution timed out ..., terminating" (SIGTERM follows).</summary>
    RequestTimedOut,
    /// <summary>uWSGI harakiri.</summary>
    Harakiri,
    /// <summary>A request body over a backend limit (Express PayloadTooLargeError, uWSGI limit-post).</summary>
    BodyRejected,
    /// <summary>The master/server came up (gunicorn Listening at, fpm is running, Tomcat Server startup ...).</summary>
    ListenerStarted,
    Shutdown,
    /// <summary>A worker died of a fault signal it raised itself (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL).</summary>
    WorkerCrashed,
    /// <summary>An application error while serving a request (traceback, Java exception, Node error).</summary>
    Error,
    // Added by issue 6 for the corpus vocabulary:
    /// <summary>A request line or header over a limit, or an unparsable request (400/431/414).</summary>
    RequestRejected,
    /// <summary>php-fpm slowlog, Tomcat StuckThreadDetectionValve.</summary>
    SlowRequest,
    /// <summary>php-fpm slowlog ptrace of a child ("stopped for tracing", "about to trace").</summary>
    SlowRequestTrace,
    /// <summary>The client (nginx) went away while the backend wrote or read (uWSGI broken pipe, raw-body aborted).</summary>
    ClientDisconnected,
    /// <summary>Worker output relayed by the master (php-fpm catch_workers_output).</summary>
    WorkerOutput,
    /// <summary>The master reloaded its workers or itself (gunicorn HUP, php-fpm reload, uWSGI reload).</summary>
    MasterReload,
    /// <summary>A listen queue overflowed (uWSGI "listen queue ... full").</summary>
    QueueFull,
    /// <summary>Inferred: a worker was replaced with no line about its death (Puma logs nothing when one dies).</summary>
    WorkerVanished,
    /// <summary>A warning in the server's own log format that no other kind names (often the application logging through it).</summary>
    Warning,
}

/// <summary>One backend log event.</summary>
public sealed class BackendEvent : LogRecord
{
    /// <summary>Null when the line has no timestamp (never invented).</summary>
    public DateTimeOffset? Time { get; init; }
    public BackendKind Backend { get; init; }
    public BackendEventKind Kind { get; init; }
    /// <summary>The process the event is about (the worker that timed out, died, booted), not necessarily the writer.</summary>
    public int? ProcessId { get; init; }
    public int? MasterProcessId { get; init; }
    /// <summary>Signal name, e.g. SIGKILL.</summary>
    public string? Signal { get; init; }
    public int? ExitCode { get; init; }
    public string? Detail { get; init; }
    /// <summary>A SIGKILL that follows a WORKER TIMEOUT of the same pid: part of the timeout, not an OOM kill.</summary>
    public bool PartOfTimeout { get; init; }

    // Added by issue 6:
    /// <summary>Signal number, e.g. 9.</summary>
    public int? SignalNumber { get; init; }
    /// <summary>The process that wrote the line (gunicorn's bracketed pid, the journal's _PID), when known.</summary>
    public int? WriterProcessId { get; init; }
    /// <summary>The death left a core dump (php-fpm "- core dumped", gunicorn raw status 134).</summary>
    public bool CoreDumped { get; init; }
    /// <summary>php-fpm pool name.</summary>
    public string? Pool { get; init; }
    /// <summary>Worker index of uWSGI/Puma ("worker 2", "Worker 1").</summary>
    public int? WorkerId { get; init; }
    /// <summary>The request concerned ("POST /index.php?r=report/build", "/api/report") when the line names it.</summary>
    public string? Request { get; init; }
    /// <summary>True when the line's time had no zone and -TimeZone (default: the host's) was applied.</summary>
    public bool ZoneAssumed { get; init; }
    /// <summary>The backend version when the log announced it ("23.0.0").</summary>
    public string? BackendVersion { get; init; }

    public override string ToString() => $"{Origin}: {Backend} {Kind} pid {ProcessId}{(Signal is null ? "" : " " + Signal)}";
}
