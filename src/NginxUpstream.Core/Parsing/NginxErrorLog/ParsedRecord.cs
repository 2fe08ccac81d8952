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
    public byte ErrnoId; // Errnos.Id: 0 none
    public readonly string? ErrnoName => Errnos.NameOf(ErrnoId);
    public Phases.Facing Facing;
    public int UpstreamPort; // -1: none
    public UpstreamErrorKind Kind;
    public UpstreamPhase Phase;
    public ErrorSide Side;
    public LogContextKind Context;
    public bool Truncated, Udp, StartTls, HasCounters;
    public long BytesClientIn, BytesClientOut, BytesUpstreamIn, BytesUpstreamOut;

    /// <summary>
    /// Clears what <see cref="RecordParser.ParseBody"/> fills and keeps the header (time, level,
    /// ids) that <see cref="RecordParser.TryParseHeader"/> always writes in full: readers parse the
    /// body of a third of the records, and clearing this 300-byte struct for all of them cost more
    /// than parsing their headers.
    /// </summary>
    public void ResetBody()
    {
        var (y, mo, d, h, mi, sec) = (Year, Month, Day, Hour, Minute, Second);
        var (level, pid, tid, conn) = (Level, ProcessId, ThreadId, ConnectionId);
        Reset();
        (Year, Month, Day, Hour, Minute, Second) = (y, mo, d, h, mi, sec);
        (Level, ProcessId, ThreadId, ConnectionId) = (level, pid, tid, conn);
    }

    public void Reset()
    {
        this = default;
        ConnectionId = -1;
        Errno = -1;
        UpstreamPort = -1;
    }
}
