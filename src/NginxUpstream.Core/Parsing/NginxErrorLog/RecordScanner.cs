using System.Runtime.CompilerServices;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Cuts a byte stream into error.log records without decoding it: a line that starts with the
/// header (time + "[") opens a record; a line that does not continues the open record when nginx
/// could have written it as one (a raw LF inside an unterminated quoted value, total still within
/// 2047 bytes: FastCGI stderr), and is skipped otherwise. Records are returned as slices of an
/// internal buffer (valid until the next <see cref="MoveNext"/>). Memory is bounded by the buffer:
/// a line longer than it is skipped while streaming past its bytes.
/// </summary>
internal sealed class RecordScanner
{
    private const int MaxRecordForContinuation = RecordParser.MaxRecord;
    private readonly ReadStats _stats;
    private readonly int _maxLine;
    private Stream? _stream;
    private byte[] _buf;
    private int _len, _pos;
    private int _recStart = -1, _recEnd;
    private long _recLine, _recOffset;
    private long _lineNo;
    private long _bufOffset;
    private bool _eof, _skipping, _flushPending;

    /// <summary>Live mode (pushed text, -Follow): a partial last line waits for more data, and the open record is kept until the next header, <see cref="FlushPending"/> or <see cref="Complete"/>.</summary>
    private readonly bool _live;
    private bool _completed;

    public RecordScanner(Stream? stream, ReadStats stats, bool live = false, long startOffset = 0, long startLine = 0, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _stats = stats;
        _live = live;
        _buf = new byte[bufferSize];
        _maxLine = bufferSize;
        _bufOffset = startOffset;
        _lineNo = startLine;
    }

    /// <summary>
    /// Records of bytes already in memory (a chunk of a parallel read), without copying them. Lines
    /// of <paramref name="maxLine"/> bytes or more are skipped, as a streaming scanner with a buffer
    /// of that size skips them.
    /// </summary>
    public RecordScanner(byte[] data, int length, ReadStats stats, long startOffset, long startLine, int maxLine = 1 << 20)
    {
        _stats = stats;
        _buf = data;
        _len = length;
        _eof = true;
        _inMemory = true;
        _maxLine = maxLine;
        _bufOffset = startOffset;
        _lineNo = startLine;
        stats.BytesRead += length;
    }

    private readonly bool _inMemory;

    public byte[] Buffer => _buf;
    public int Start { get; private set; }
    public int Length { get; private set; }
    public long Line { get; private set; }
    public long Offset { get; private set; }
    /// <summary>The read failed (corrupt gzip, I/O): raised by the reader after the records before it.</summary>
    public Exception? Failure { get; private set; }
    /// <summary>Physical lines seen so far (the line number of the last line).</summary>
    public long LinesSeen => _lineNo;

    public ReadOnlySpan<byte> Record => _buf.AsSpan(Start, Length);

    /// <summary>Live mode: add bytes (pipeline text with its LF).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        Compact();
        if (_buf.Length - _len < data.Length)
        {
            var bigger = new byte[Math.Max(_buf.Length * 2, _len + data.Length)];
            System.Buffer.BlockCopy(_buf, 0, bigger, 0, _len);
            _buf = bigger;
        }
        data.CopyTo(_buf.AsSpan(_len));
        _len += data.Length;
        _stats.BytesRead += data.Length;
    }

    /// <summary>Live mode: the open record is complete (no more continuation lines will come).</summary>
    public void FlushPending() => _flushPending = true;

    /// <summary>Live mode: no more data at all.</summary>
    public void Complete() { _completed = true; _flushPending = true; }

    /// <summary>Follow: continue from a new stream (the log was rotated or truncated).</summary>
    public void Restart(Stream stream)
    {
        _stream = stream;
        _len = _pos = 0;
        _recStart = -1;
        _bufOffset = 0;
        _lineNo = 0;
        _eof = false;
        _skipping = false;
    }

    /// <summary>Follow: try the stream again after it reported its end.</summary>
    public void ClearEof() => _eof = false;

    private void Compact()
    {
        int keep = _recStart >= 0 ? _recStart : _pos;
        if (keep <= 0) return;
        System.Buffer.BlockCopy(_buf, keep, _buf, 0, _len - keep);
        _len -= keep;
        _pos -= keep;
        if (_recStart >= 0) { _recStart -= keep; _recEnd -= keep; }
        _bufOffset += keep;
    }

    private bool Fill()
    {
        if (_stream is null || _eof) return false;
        Compact();
        if (_len == _buf.Length) return false;
        int n;
        try { n = _stream.Read(_buf, _len, _buf.Length - _len); }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Failure = e;
            _eof = true;
            return false;
        }
        if (n <= 0) { _eof = true; return false; }
        _len += n;
        _stats.BytesRead += n;
        return true;
    }

    private bool EmitPending()
    {
        Start = _recStart;
        Length = _recEnd - _recStart;
        Line = _recLine;
        Offset = _recOffset;
        _recStart = -1;
        return true;
    }

    /// <summary>Advances to the next record; false at the end of the data (or, live, when more is needed).</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (_skipping)
            {
                int x = _buf.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
                if (x < 0)
                {
                    _pos = _len;
                    if (Fill()) continue;
                    return false;
                }
                _pos += x + 1;
                _skipping = false;
                continue;
            }
            int nl = _buf.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            int lineEnd;
            if (nl < 0)
            {
                if (_len - (_recStart >= 0 ? _recStart : _pos) >= _buf.Length && !_live)
                {
                    // The buffer holds no complete line: emit the open record, or skip an overlong line.
                    if (_recStart >= 0 && _recStart < _pos) return EmitPending();
                    _recStart = -1;
                    _lineNo++;
                    _stats.LinesRead++;
                    _stats.Skip($"line longer than {_maxLine / 1024} KiB");
                    _skipping = true;
                    _pos = _len;
                    continue;
                }
                if (Fill()) continue;
                if (_live && !_completed)
                {
                    if (_flushPending && _recStart >= 0) { _flushPending = false; return EmitPending(); }
                    _flushPending = false;
                    return false;
                }
                if (_pos < _len) lineEnd = _len; // last line without LF
                else if (_recStart >= 0) return EmitPending();
                else return false;
            }
            else lineEnd = _pos + nl;

            if (_inMemory && lineEnd - _pos >= _maxLine)
            {
                if (_recStart >= 0) return EmitPending(); // as the streaming scanner does, before the line
                _lineNo++;
                _stats.LinesRead++;
                _stats.Skip($"line longer than {_maxLine / 1024} KiB");
                _pos = lineEnd < _len ? lineEnd + 1 : _len;
                continue;
            }

            int ls = _pos;
            _pos = lineEnd < _len ? lineEnd + 1 : _len;
            _lineNo++;
            _stats.LinesRead++;
            var line = _buf.AsSpan(ls, lineEnd - ls);
            if (RecordParser.LooksLikeHeader(line))
            {
                bool had = _recStart >= 0;
                int ps = _recStart, pe = _recEnd; long pl = _recLine, po = _recOffset;
                _recStart = ls; _recEnd = lineEnd; _recLine = _lineNo; _recOffset = _bufOffset + ls;
                if (had)
                {
                    Start = ps; Length = pe - ps; Line = pl; Offset = po;
                    return true;
                }
                continue;
            }
            if (_recStart >= 0 && lineEnd - _recStart <= MaxRecordForContinuation && IsOpen(_buf.AsSpan(_recStart, _recEnd - _recStart)))
            {
                _recEnd = lineEnd;
                continue;
            }
            _stats.Skip(line.IsEmpty || (line.Length == 1 && line[0] == '\r') ? "empty line" : "not an nginx error.log line");
            if (_recStart >= 0) return EmitPending();
        }
    }

    /// <summary>An unterminated quoted value (odd number of '"'): the next line may continue it.</summary>
    private static bool IsOpen(ReadOnlySpan<byte> record) => (record.Count((byte)'"') & 1) == 1;
}
