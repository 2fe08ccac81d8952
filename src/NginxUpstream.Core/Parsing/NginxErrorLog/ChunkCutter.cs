using System.Collections.Concurrent;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>A piece of the log that starts where a record starts: parsed on its own, it gives the records a sequential read gives.</summary>
internal sealed class Chunk
{
    public required byte[] Buffer;
    public int Length;
    /// <summary>Byte offset of the chunk in the (decompressed) source.</summary>
    public long Offset;
    /// <summary>Position of the underlying file after the chunk was read (progress bars).</summary>
    public long Position;
}

/// <summary>
/// Cuts a stream of error.log bytes into chunks of about 256 KiB for parallel
/// parsing, at boundaries a sequential read could not tell apart:
/// <list type="bullet">
/// <item>the start of a line that looks like a header (a header always opens a new record), or</item>
/// <item>when the last 64 KiB (the window) hold no header, a line start more than <see cref="RecordParser.MaxRecord"/>
/// bytes past the last one: no continuation line can reach back that far (nginx's records are at
/// most 2047 bytes), so no record spans the cut.</item>
/// </list>
/// The cutter does not count lines: each chunk's scanner numbers its lines from 0 and the reader,
/// which takes the chunks back in order, adds the lines before the chunk (a pass over every byte
/// less on the reading thread).
/// A read failure (corrupt gzip) ends the input; what was read before it is still returned.
/// </summary>
internal sealed class ChunkCutter(Stream stream, long startOffset, Func<long>? position, int chunkSize = ChunkCutter.DefaultChunkSize,
    int maxChunk = ChunkCutter.DefaultMaxChunk)
{
    /// <summary>
    /// A stretch this long with no safe cut (one huge line) ends the chunking: the reader goes on
    /// sequentially from the last cut (<see cref="Rest"/>), whose scanner streams past such a line in
    /// bounded memory instead of holding it whole.
    /// </summary>
    public const int DefaultMaxChunk = 16 << 20;

    /// <summary>
    /// 256 KiB: a chunk the reading thread has just read is still in a cache near it when a worker
    /// parses it. 64-256 KiB read 2-4% faster than 1 MiB chunks and 4 MiB ones 2-3% slower (A/B runs
    /// of the upstream-only read on 2 threads).
    /// </summary>
    public const int DefaultChunkSize = 256 << 10;
    /// <summary>Smallest chunk: its window must hold a header-less stretch longer than a record.</summary>
    public const int MinChunkSize = 1 << 14;
    private readonly int ChunkSize = Math.Max(chunkSize, MinChunkSize);
    private int Window => Math.Min(1 << 16, ChunkSize / 2);
    private readonly ConcurrentBag<byte[]> _free = new();
    private byte[]? _carry;
    private int _carryLen;
    private long _offset = startOffset;
    private bool _eof;

    /// <summary>The exception that ended the input early, if any.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gives a chunk's buffer back for reuse once it is parsed.</summary>
    public void Return(Chunk c)
    {
        if (c.Buffer.Length == ChunkSize) _free.Add(c.Buffer);
    }

    /// <summary>Chunking stopped at a stretch without a safe cut; <see cref="Rest"/> continues from the last cut.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>After <see cref="Overflowed"/>: the bytes from the last cut on (those read, then the rest of the stream), and where they start.</summary>
    public (Stream Data, long Offset) Rest() => (new RestStream((_carry ?? Array.Empty<byte>()).AsMemory(0, _carryLen), stream), _offset);

    public Chunk? Next()
    {
        if (Overflowed || (_eof && _carryLen == 0)) return null;
        var buf = _free.TryTake(out var b) ? b : new byte[ChunkSize];
        if (buf.Length < _carryLen + ChunkSize / 2) buf = new byte[_carryLen + ChunkSize];
        int len = 0;
        if (_carryLen > 0) { System.Buffer.BlockCopy(_carry!, 0, buf, 0, _carryLen); len = _carryLen; _carryLen = 0; }
        int cut = -1;
        while (true)
        {
            if (!_eof && len < buf.Length)
            {
                int n;
                try { n = stream.Read(buf, len, buf.Length - len); }
                catch (Exception e) when (e is InvalidDataException or IOException) { Failure = e; n = 0; }
                if (n <= 0) _eof = true;
                else { len += n; if (len < buf.Length) continue; }
            }
            if (_eof) { cut = len; break; }
            cut = FindCut(buf, len);
            if (cut > 0) break;
            if (buf.Length * 2L > maxChunk)
            {
                // Give up chunking: keep what was read for the sequential rest.
                _carry = buf;
                _carryLen = len;
                Overflowed = true;
                return null;
            }
            Array.Resize(ref buf, buf.Length * 2); // no safe cut yet (a long line): read on
        }
        if (len == 0) { Return(new Chunk { Buffer = buf }); return null; }
        var rest = len - cut;
        if (rest > 0)
        {
            if (_carry is null || _carry.Length < rest) _carry = new byte[Math.Max(rest, Window)];
            System.Buffer.BlockCopy(buf, cut, _carry, 0, rest);
            _carryLen = rest;
        }
        var c = new Chunk { Buffer = buf, Length = cut, Offset = _offset, Position = position?.Invoke() ?? 0 };
        _offset += cut;
        return c;
    }

    /// <summary>A safe cut in buf[..len] (see the class remarks), or -1.</summary>
    private int FindCut(byte[] buf, int len)
    {
        int windowStart = Math.Max(0, len - Window);
        int end = len;
        while (true)
        {
            int nl = buf.AsSpan(windowStart, end - windowStart).LastIndexOf((byte)'\n');
            if (nl < 0) break;
            int ls = windowStart + nl + 1;
            if (len - ls >= 21 && RecordParser.LooksLikeHeader(buf.AsSpan(ls, len - ls))) return ls;
            end = windowStart + nl;
        }
        if (windowStart == 0) return -1;
        // No header in the window: a record open at any line start this far in began before the
        // window, more than MaxRecord bytes back, so the line cannot continue it.
        int safeFrom = windowStart + RecordParser.MaxRecord + 1;
        int last = buf.AsSpan(safeFrom, len - safeFrom).LastIndexOf((byte)'\n');
        return last < 0 ? -1 : safeFrom + last + 1;
    }
}

/// <summary>Bytes already read, then the rest of the underlying stream.</summary>
internal sealed class RestStream(ReadOnlyMemory<byte> head, Stream tail) : Stream
{
    private ReadOnlyMemory<byte> _head = head;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_head.IsEmpty) return tail.Read(buffer);
        int n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer);
        _head = _head[n..];
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
