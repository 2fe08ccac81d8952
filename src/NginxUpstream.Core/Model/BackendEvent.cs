namespace NginxUpstream.Model;

/// <summary>Application server behind nginx.</summary>
public enum BackendKind { Unknown, Gunicorn, PhpFpm, Uwsgi, Puma, Tomcat, Uvicorn, Node }

/// <summary>What the backend logged (owned by the backend-log engine, issue 6).</summary>
public enum BackendEventKind
{
    Other, WorkerTimeout, WorkerKilled, WorkerExited, WorkerBooted, MaxRequestsRecycle,
    MaxChildrenReached, RequestTimedOut, Harakiri, BodyRejected, ListenerStarted, Shutdown,
    WorkerCrashed, Error,
}

/// <summary>One backend log event.</summary>
public sealed class BackendEvent : LogRecord
{
    /// <summary>Null when the line has no timestamp (never invented).</summary>
    public DateTimeOffset? Time { get; init; }
    public BackendKind Backend { get; init; }
    public BackendEventKind Kind { get; init; }
    public int? ProcessId { get; init; }
    public int? MasterProcessId { get; init; }
    /// <summary>Signal name, e.g. SIGKILL.</summary>
    public string? Signal { get; init; }
    public int? ExitCode { get; init; }
    public string? Detail { get; init; }
    /// <summary>A SIGKILL that follows a WORKER TIMEOUT of the same pid: part of the timeout, not an OOM kill.</summary>
    public bool PartOfTimeout { get; init; }

    public override string ToString() => $"{Origin}: {Backend} {Kind} pid {ProcessId}{(Signal is null ? "" : " " + Signal)}";
}
