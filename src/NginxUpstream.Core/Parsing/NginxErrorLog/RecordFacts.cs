using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// What an <see cref="UpstreamError"/> carries of its parsed record as values rather than text: a
/// parallel read's workers hand these to the thread that builds the objects. A fifth of a
/// <see cref="ParsedRecord"/>: the whole record crossed from one core to the other per object,
/// though only these fields are read there when text is decoded on first use. No references
/// (the errno name is an id), so the collector never scans the arrays that carry them.
/// </summary>
internal readonly struct RecordFacts(in ParsedRecord r)
{
    public readonly long ThreadId = r.ThreadId, ConnectionId = r.ConnectionId;
    public readonly int ProcessId = r.ProcessId, Errno = r.Errno, UpstreamPort = r.UpstreamPort;
    public readonly NginxLogLevel Level = r.Level;
    public readonly UpstreamErrorKind Kind = r.Kind;
    public readonly ErrorSide Side = r.Side;
    public readonly UpstreamPhase Phase = r.Phase;
    public readonly LogContextKind Context = r.Context;
    public readonly bool Truncated = r.Truncated;
    public readonly byte ErrnoId = r.ErrnoId;
    public string? ErrnoName => Errnos.NameOf(ErrnoId);
}
