namespace NginxUpstream.Model;

/// <summary>nginx error.log severity.</summary>
public enum NginxLogLevel { Emerg, Alert, Crit, Error, Warn, Notice, Info, Debug }

/// <summary>What went wrong, normalised from the message (see reference/nginx-error-log.md).</summary>
public enum UpstreamErrorKind
{
    Other, Reset, PrematureClose, Refused, TimedOut, NoLiveUpstreams, ServerDisabled, InvalidHeader,
    TooBigHeader, SslHandshake, Resolver, ClientClosed, ClientTimedOut, BodyBuffered, ResponseBuffered,
    FastCgiStderr, HostNotFound, WorkerConnections, SyscallFailed,
    /// <summary>EPIPE on a write: the peer had already closed.</summary>
    BrokenPipe,
    /// <summary>EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN.</summary>
    Unreachable,
    /// <summary>connect() failed for another reason (ENOENT/EACCES on a unix socket, EADDRNOTAVAIL...).</summary>
    ConnectFailed,
    /// <summary>A malformed response body or protocol stream (bad chunking, extra data, HTTP/2 errors).</summary>
    InvalidResponse,
    /// <summary>The upstream's TLS certificate failed verification or did not match the name.</summary>
    SslCertificate,
}

/// <summary>The ` while ...` action, as an enum.</summary>
public enum UpstreamPhase
{
    None, Other, ConnectingToUpstream, SendingRequestToUpstream, ReadingResponseHeaderFromUpstream,
    ReadingUpstream, SendingToClient, ReadingClientRequestHeaders, ReadingClientRequestLine,
    ReadingClientRequestBody, SslHandshakingToUpstream, SslHandshaking, ProxyingConnection,
    ResolvingName, WaitingForRequest, ClosingRequest, ProxyingAndReadingFromUpstream,
    ProxyingAndReadingFromClient, ProxyingAndSendingToUpstream, ProxyingAndSendingToClient,
    ProxyingUpgradedConnection, ReadingResponseFromUpstream, AcceptingNewConnection, Proxying,
    SendingToUpstream, Keepalive, ReadingClientPipelinedRequestLine, ReadingProxyProtocol,
    SendingEarlyHintsToClient, SendingResponseToClient, LoggingRequest, ProcessingHttp2Connection,
    ReadingClientRequest, InitializingSession, PrereadingClientData,
}

/// <summary>Which socket failed: the one to the upstream, or the client's (logged at info).</summary>
public enum ErrorSide { None, Upstream, Client }

/// <summary>Which context grammar the line's tail follows.</summary>
public enum LogContextKind { None, Http, Stream, Mail, Resolver, Accept }

/// <summary>One nginx error.log record (owned by the error-log engine, issue 3).</summary>
public sealed class UpstreamError : LogRecord
{
    public DateTimeOffset Time { get; init; }
    public NginxLogLevel Level { get; init; }
    public int ProcessId { get; init; }
    public long ThreadId { get; init; }
    /// <summary>The *N connection number, when the line has one.</summary>
    public long? ConnectionId { get; init; }
    public UpstreamErrorKind Kind { get; init; }
    public ErrorSide Side { get; init; }
    /// <summary>Message text without the errno part and the context.</summary>
    public string Message { get; init; } = "";
    public string? Syscall { get; init; }
    public int? Errno { get; init; }
    public string? ErrnoText { get; init; }
    /// <summary>Portable errno name (ECONNRESET, ...), whatever the platform's number.</summary>
    public string? ErrnoName { get; init; }
    /// <summary>The raw text after " while ".</summary>
    public string? Action { get; init; }
    public UpstreamPhase Phase { get; init; }
    public LogContextKind ContextKind { get; init; }
    public string? Client { get; init; }
    public string? Server { get; init; }
    /// <summary>The request line as logged.</summary>
    public string? Request { get; init; }
    public string? Method { get; init; }
    public string? Uri { get; init; }
    public string? Protocol { get; init; }
    public string? Subrequest { get; init; }
    /// <summary>The upstream URL as logged, e.g. http://127.0.0.1:8000/api.</summary>
    public string? Upstream { get; init; }
    public string? UpstreamScheme { get; init; }
    /// <summary>host:port, or the unix socket path.</summary>
    public string? UpstreamAddress { get; init; }
    public string? Host { get; init; }
    public string? Referrer { get; init; }
    /// <summary>The URI sent upstream (proxy_pass over HTTP/1.x only), when the upstream field has one.</summary>
    public string? UpstreamUri { get; init; }
    /// <summary>Host part of <see cref="UpstreamAddress"/> (IPv6 without brackets), or the upstream{} group name; null for unix sockets.</summary>
    public string? UpstreamHost { get; init; }
    /// <summary>Port of <see cref="UpstreamAddress"/>, when it has one.</summary>
    public int? UpstreamPort { get; init; }
    /// <summary>The unix socket path (without "unix:"), when the upstream is a unix socket.</summary>
    public string? UpstreamSocket { get; init; }
    /// <summary>The OpenSSL error queue of an "(SSL: ...)" message, when present.</summary>
    public string? SslError { get; init; }
    /// <summary>Byte offset of the record's first line in <see cref="Source"/>; -1 when unknown (pipeline text).</summary>
    public long Offset { get; init; } = -1;
    /// <summary>Stream/mail/resolver extras (bytes counters, login, ssl_error...).</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
    /// <summary>The line was cut by nginx at 2047 bytes.</summary>
    public bool Truncated { get; init; }
    /// <summary>Whether the record concerns an upstream (what the cmdlet emits without -All).</summary>
    public bool IsUpstreamRelated { get; init; }

    public override string ToString() => $"{Origin}: {Kind} {Message}{(Errno is null ? "" : $" ({Errno}: {ErrnoText})")}{(Upstream is null ? "" : $" upstream {Upstream}")}";
}
