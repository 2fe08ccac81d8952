using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// One error.log record parsed in place: every field is a <see cref="Seg"/> into the record's
/// bytes, every classification an enum. Filling it allocates nothing, so filters (time, kind,
/// side) run before any string is made.
/// </summary>
internal struct ParsedRecord
{
    public int Year, Month, Day, Hour, Minute, Second;
    public NginxLogLevel Level;
    public int ProcessId;
    public long ThreadId;
    public long ConnectionId; // -1: none
    public Seg Message, ErrnoText, Syscall, Action, Client, Server, Request, Subrequest, Upstream, Host, Referrer,
        Login, Resolver, SslError, Method, Uri, Protocol, UpstreamScheme, UpstreamAddress, UpstreamUri, UpstreamHost,
        UpstreamSocket;
    public int Errno; // -1: none
    public string? ErrnoName; // static strings only
    public Phases.Facing Facing;
    public int UpstreamPort; // -1: none
    public UpstreamErrorKind Kind;
    public UpstreamPhase Phase;
    public ErrorSide Side;
    public LogContextKind Context;
    public bool Truncated, Udp, StartTls, HasCounters;
    public long BytesClientIn, BytesClientOut, BytesUpstreamIn, BytesUpstreamOut;

    public void Reset()
    {
        this = default;
        ConnectionId = -1;
        Errno = -1;
        UpstreamPort = -1;
        Message = ErrnoText = Syscall = Action = Client = Server = Request = Subrequest = Upstream = Host = Referrer =
            Login = Resolver = SslError = Method = Uri = Protocol = UpstreamScheme = UpstreamAddress = UpstreamUri =
            UpstreamHost = UpstreamSocket = Seg.None;
    }
}
