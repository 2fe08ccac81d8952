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
/// <remarks>
/// By default the engine decodes a record's text while it reads it (on the reading thread, from the
/// fields its parse found). With <c>NginxErrorLogReader.TextDecoding = OnFirstUse</c> it keeps the
/// raw bytes instead and decodes the text (<see cref="LogRecord.Line"/>, <see cref="Message"/>, the context fields...) on the
/// first read of any of them, all at once: cheaper for reads that only count or filter on
/// Kind/Time/Level, dearer for ones that keep every record and read its text. Reading is
/// thread-safe; the decoded values are the same whenever they are read.
/// </remarks>
public sealed class UpstreamError : LogRecord
{
    private byte[]? _raw;
    private readonly IUpstreamErrorDecoder? _decoder;
    private UpstreamErrorText? _text;

    /// <summary>A record whose text is set with an object initializer.</summary>
    public UpstreamError() { }

    /// <summary>
    /// A record of the engine: its text decoded while it was read (<paramref name="text"/>), or to be
    /// decoded from <paramref name="raw"/> on first use.
    /// </summary>
    internal UpstreamError(UpstreamErrorText? text, byte[]? raw, IUpstreamErrorDecoder? decoder)
    {
        _text = text;
        _raw = text is null ? raw : null;
        _decoder = decoder;
    }

    private UpstreamErrorText T => Volatile.Read(ref _text) ?? Decode();

    // Object initializers of records made without raw bytes (tests, imports) write here.
    private UpstreamErrorText W => _text ??= new UpstreamErrorText();

    private UpstreamErrorText Decode()
    {
        var raw = Volatile.Read(ref _raw);
        // A reader that finds the bytes already released finds the text published before that.
        if (raw is null) return Volatile.Read(ref _text) ?? Interlocked.CompareExchange(ref _text, new UpstreamErrorText(), null) ?? _text!;
        var t = _decoder!.Decode(raw);
        var won = Interlocked.CompareExchange(ref _text, t, null) ?? t;
        Volatile.Write(ref _raw, null); // the text (Line) now holds what the bytes held
        return won;
    }

    private protected override string? LazyLine() => T.Line;

    public DateTimeOffset Time { get; init; }
    public NginxLogLevel Level { get; init; }
    public int ProcessId { get; init; }
    public long ThreadId { get; init; }
    /// <summary>The *N connection number, when the line has one.</summary>
    public long? ConnectionId { get; init; }
    public UpstreamErrorKind Kind { get; init; }
    public ErrorSide Side { get; init; }
    /// <summary>Message text without the errno part and the context.</summary>
    public string Message { get => T.Message; init => W.Message = value; }
    public string? Syscall { get => T.Syscall; init => W.Syscall = value; }
    public int? Errno { get; init; }
    public string? ErrnoText { get => T.ErrnoText; init => W.ErrnoText = value; }
    /// <summary>Portable errno name (ECONNRESET, ...), whatever the platform's number.</summary>
    public string? ErrnoName { get; init; }
    /// <summary>The raw text after " while ".</summary>
    public string? Action { get => T.Action; init => W.Action = value; }
    public UpstreamPhase Phase { get; init; }
    public LogContextKind ContextKind { get; init; }
    public string? Client { get => T.Client; init => W.Client = value; }
    public string? Server { get => T.Server; init => W.Server = value; }
    /// <summary>The request line as logged.</summary>
    public string? Request { get => T.Request; init => W.Request = value; }
    public string? Method { get => T.Method; init => W.Method = value; }
    public string? Uri { get => T.Uri; init => W.Uri = value; }
    public string? Protocol { get => T.Protocol; init => W.Protocol = value; }
    public string? Subrequest { get => T.Subrequest; init => W.Subrequest = value; }
    /// <summary>The upstream URL as logged, e.g. http://127.0.0.1:8000/api.</summary>
    public string? Upstream { get => T.Upstream; init => W.Upstream = value; }
    public string? UpstreamScheme { get => T.UpstreamScheme; init => W.UpstreamScheme = value; }
    /// <summary>host:port, or the unix socket path.</summary>
    public string? UpstreamAddress { get => T.UpstreamAddress; init => W.UpstreamAddress = value; }
    public string? Host { get => T.Host; init => W.Host = value; }
    public string? Referrer { get => T.Referrer; init => W.Referrer = value; }
    /// <summary>The URI sent upstream (proxy_pass over HTTP/1.x only), when the upstream field has one.</summary>
    public string? UpstreamUri { get => T.UpstreamUri; init => W.UpstreamUri = value; }
    /// <summary>Host part of <see cref="UpstreamAddress"/> (IPv6 without brackets), or the upstream{} group name; null for unix sockets.</summary>
    public string? UpstreamHost { get => T.UpstreamHost; init => W.UpstreamHost = value; }
    /// <summary>Port of <see cref="UpstreamAddress"/>, when it has one.</summary>
    public int? UpstreamPort { get; init; }
    /// <summary>The unix socket path (without "unix:"), when the upstream is a unix socket.</summary>
    public string? UpstreamSocket { get => T.UpstreamSocket; init => W.UpstreamSocket = value; }
    /// <summary>The OpenSSL error queue of an "(SSL: ...)" message, when present.</summary>
    public string? SslError { get => T.SslError; init => W.SslError = value; }
    /// <summary>Byte offset of the record's first line in <see cref="Source"/> (in the decompressed text of a gzip file); -1 when unknown (pipeline text).</summary>
    public long Offset { get; init; } = -1;
    /// <summary>Stream/mail/resolver extras (bytes counters, login, ssl_error...).</summary>
    public IReadOnlyDictionary<string, string>? Extra { get => T.Extra; init => W.Extra = value; }
    /// <summary>The line was cut by nginx at 2047 bytes.</summary>
    public bool Truncated { get; init; }
    /// <summary>Whether the record concerns an upstream (what the cmdlet emits without -All).</summary>
    public bool IsUpstreamRelated { get; init; }

    public override string ToString() => $"{Origin}: {Kind} {Message}{(Errno is null ? "" : $" ({Errno}: {ErrnoText})")}{(Upstream is null ? "" : $" upstream {Upstream}")}";
}
