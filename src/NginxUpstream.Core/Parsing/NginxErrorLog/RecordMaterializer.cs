using System.Runtime.CompilerServices;
using NginxUpstream.Model;
using NginxUpstream.Time;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Builds <see cref="UpstreamError"/> objects from parsed records, and converts nginx's zone-less
/// local stamps to instants (cached per second and per hour: a log has thousands of lines per
/// second and one offset per hour at most).
/// </summary>
internal sealed class RecordMaterializer
{
    private readonly TimeZoneInfo _zone;
    private long _lastLocalTicks = -1;
    private DateTimeOffset _lastTime;
    private long _hourKey = -1;
    private TimeSpan _hourOffset;
    private bool _hourAmbiguous;

    public RecordMaterializer(TimeZoneInfo zone) => _zone = zone;

    private long _lastKey = -1, _lastKeyTicks;

    /// <summary><see cref="LocalTicks(in ParsedRecord)"/>, remembering the last stamp (most records share their second with the previous one).</summary>
    public long LocalTicksCached(in ParsedRecord r)
    {
        long key = ((((((long)r.Year * 13 + r.Month) * 32 + r.Day) * 24 + r.Hour) * 60 + r.Minute) * 61) + r.Second;
        if (key == _lastKey) return _lastKeyTicks;
        _lastKeyTicks = LocalTicks(r);
        _lastKey = key;
        return _lastKeyTicks;
    }

    /// <summary>Local wall-clock ticks of the record's stamp; -1 when the date is impossible.</summary>
    public static long LocalTicks(in ParsedRecord r)
    {
        if (r.Month is < 1 or > 12 || r.Day < 1 || r.Day > DateTime.DaysInMonth(Math.Max(1, r.Year), r.Month) ||
            r.Hour > 23 || r.Minute > 59 || r.Second > 60 || r.Year < 1)
            return -1;
        // A leap second (:60) is clamped to :59.
        return new DateTime(r.Year, r.Month, r.Day, r.Hour, r.Minute, Math.Min(r.Second, 59)).Ticks;
    }

    /// <summary>The instant of a local stamp in the zone.</summary>
    public DateTimeOffset ToTime(long localTicks)
    {
        if (localTicks == _lastLocalTicks) return _lastTime;
        var hour = localTicks / TimeSpan.TicksPerHour;
        DateTimeOffset t;
        if (hour == _hourKey && !_hourAmbiguous) t = new DateTimeOffset(localTicks, _hourOffset);
        else
        {
            var local = new DateTime(localTicks, DateTimeKind.Unspecified);
            t = TimeZones.ToOffset(local, _zone);
            var hourStart = new DateTime(hour * TimeSpan.TicksPerHour);
            var hourEnd = hourStart.AddHours(1).AddTicks(-1);
            _hourKey = hour;
            _hourOffset = t.Offset;
            // Only cache an hour that has a single offset throughout (not a DST transition hour).
            _hourAmbiguous = _zone.GetUtcOffset(hourStart) != _zone.GetUtcOffset(hourEnd) || _zone.IsAmbiguousTime(hourStart)
                             || _zone.IsAmbiguousTime(hourEnd) || _zone.IsInvalidTime(hourStart) || _zone.IsInvalidTime(hourEnd);
        }
        _lastLocalTicks = localTicks;
        _lastTime = t;
        return t;
    }

    private readonly TextDecoder _decoder = new();

    /// <summary>
    /// The object of a parsed record: with <paramref name="text"/> when its text was decoded while
    /// reading, else with a copy of its bytes that <paramref name="decoder"/> decodes on first use,
    /// so records nobody reads cost one small array, not twenty strings.
    /// </summary>
    public static UpstreamError Build(ReadOnlySpan<byte> s, in RecordFacts r, DateTimeOffset time, string source, long lineNumber, long offset,
        UpstreamErrorText? text, TextDecoder decoder) =>
        new(text, text is null ? s.ToArray() : null, decoder)
        {
            Source = source,
            LineNumber = lineNumber,
            Offset = offset,
            Time = time,
            Level = r.Level,
            ProcessId = r.ProcessId,
            ThreadId = r.ThreadId,
            ConnectionId = r.ConnectionId >= 0 ? r.ConnectionId : null,
            Kind = r.Kind,
            Side = r.Side,
            Errno = r.Errno >= 0 ? r.Errno : null,
            ErrnoName = r.ErrnoName,
            Phase = r.Phase,
            ContextKind = r.Context,
            UpstreamPort = r.UpstreamPort >= 0 ? r.UpstreamPort : null,
            Truncated = r.Truncated,
            IsUpstreamRelated = r.Side == ErrorSide.Upstream,
        };

    /// <summary>The object of a parsed record, its text decoded now (<paramref name="decodeNow"/>) or on first use.</summary>
    public UpstreamError Build(ReadOnlySpan<byte> s, in ParsedRecord r, DateTimeOffset time, string source, long lineNumber, long offset, bool decodeNow) =>
        Build(s, new RecordFacts(r), time, source, lineNumber, offset, decodeNow ? _decoder.Text(s, r) : null, _decoder);
}

/// <summary>
/// Decodes the text fields of records of one read: parses the kept bytes again (the parse is
/// deterministic, so the fields are those the filters saw) and interns low-cardinality fields in
/// one pool. Records may be read from any thread, so decoding takes a lock.
/// </summary>
internal sealed class TextDecoder : IUpstreamErrorDecoder
{
    private readonly StringPool _pool = new();

    private string? P(ReadOnlySpan<byte> s, Seg g) => g.Present ? _pool.Get(g.Of(s)) : null;

    private static string? D(ReadOnlySpan<byte> s, Seg g) => g.Present ? StringPool.Decode(g.Of(s)) : null;

    public UpstreamErrorText Decode(byte[] raw)
    {
        var r = new ParsedRecord();
        ReadOnlySpan<byte> s = raw;
        if (!RecordParser.TryParse(s, ref r)) return new UpstreamErrorText { Line = StringPool.Decode(s) };
        lock (_pool) return TextUnlocked(s, r);
    }

    /// <summary>The text fields of a record parsed into <paramref name="r"/>.</summary>
    public UpstreamErrorText Text(ReadOnlySpan<byte> s, in ParsedRecord r)
    {
        lock (_pool) return TextUnlocked(s, r);
    }

    private UpstreamErrorText TextUnlocked(ReadOnlySpan<byte> s, in ParsedRecord r)
    {
        Dictionary<string, string>? extra = null;
        if (r.HasCounters || r.Udp || r.StartTls || r.Login.Present || r.Resolver.Present || r.SslError.Present)
        {
            extra = new Dictionary<string, string>(StringComparer.Ordinal);
            if (r.Context == LogContextKind.Stream) extra["udp"] = r.Udp ? "1" : "0";
            if (r.HasCounters)
            {
                extra["bytes_client_in"] = r.BytesClientIn.ToString(System.Globalization.CultureInfo.InvariantCulture);
                extra["bytes_client_out"] = r.BytesClientOut.ToString(System.Globalization.CultureInfo.InvariantCulture);
                extra["bytes_upstream_in"] = r.BytesUpstreamIn.ToString(System.Globalization.CultureInfo.InvariantCulture);
                extra["bytes_upstream_out"] = r.BytesUpstreamOut.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (r.StartTls) extra["starttls"] = "1";
            if (r.Login.Present) extra["login"] = D(s, r.Login)!;
            if (r.Resolver.Present) extra["resolver"] = P(s, r.Resolver)!;
            if (r.SslError.Present) extra["ssl_error"] = P(s, r.SslError)!;
        }
        var message = r.Message.Of(s);
        return new UpstreamErrorText
        {
            Line = StringPool.Decode(s),
            Message = message.Length <= 64 ? _pool.Get(message) : StringPool.Decode(message),
            Syscall = P(s, r.Syscall),
            ErrnoText = P(s, r.ErrnoText),
            Action = P(s, r.Action),
            Client = P(s, r.Client),
            Server = P(s, r.Server),
            Request = D(s, r.Request),
            Method = P(s, r.Method),
            Uri = D(s, r.Uri),
            Protocol = P(s, r.Protocol),
            Subrequest = P(s, r.Subrequest),
            Upstream = D(s, r.Upstream),
            UpstreamScheme = P(s, r.UpstreamScheme),
            UpstreamAddress = P(s, r.UpstreamAddress),
            UpstreamHost = P(s, r.UpstreamHost),
            UpstreamSocket = P(s, r.UpstreamSocket),
            UpstreamUri = D(s, r.UpstreamUri),
            Host = P(s, r.Host),
            Referrer = P(s, r.Referrer),
            SslError = P(s, r.SslError),
            Extra = extra,
        };
    }
}
