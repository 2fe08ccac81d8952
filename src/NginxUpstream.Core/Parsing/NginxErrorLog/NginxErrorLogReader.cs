using System.Runtime.CompilerServices;
using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// The nginx error.log engine: reads files (gzip by magic bytes, rotated sets oldest first),
/// streams or lines of text and returns one <see cref="UpstreamError"/> per record — every record
/// of the log, upstream-related or not (see <see cref="UpstreamError.IsUpstreamRelated"/>), unless
/// <see cref="UpstreamOnly"/> or <see cref="Kinds"/> narrow it.
/// </summary>
/// <remarks>
/// <para>Typical use (Find-ResetCause, incident bundles):</para>
/// <code>
/// var reader = new NginxErrorLogReader { TimeZone = zone, Since = start, Until = end };
/// var stats = new ReadStats();
/// foreach (var e in reader.ReadRotatedSet("/var/log/nginx/error.log", stats)) { ... }
/// </code>
/// <para>Records come out in file order, lazily; nothing is held after it is yielded, so memory does
/// not grow with the log. The parser works on raw bytes (no regular expressions, no decoding
/// until a record passes the filters), so unparseable lines and filtered records cost only a scan.
/// Unparseable lines are counted in <see cref="ReadStats.Skipped"/> with a reason, never thrown.</para>
/// <para>Errors: a missing/unreadable file makes <see cref="ReadFile"/> throw the usual
/// <see cref="FileNotFoundException"/> / <see cref="UnauthorizedAccessException"/> when called; a corrupt gzip throws
/// <see cref="LogReadException"/> (with the line where it broke) after every record read before
/// the break was yielded. <see cref="ReadFiles"/> and <see cref="ReadRotatedSet"/> report per-file
/// failures through their <c>onError</c> callback and go on with the next file.</para>
/// <para>An instance holds only options: it is safe to reuse and to enumerate several reads at once.</para>
/// </remarks>
public sealed partial class NginxErrorLogReader
{
    /// <summary>The default live log of Debian/Ubuntu/RHEL packages and the official images.</summary>
    public const string DefaultPath = "/var/log/nginx/error.log";

    /// <summary>Zone of the zone-less local timestamps nginx writes. Default: this host's.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>Only records at or after this instant. On an uncompressed file the reader seeks to it by binary search.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records at or before this instant; reading stops once the log is past it by more than <see cref="Disorder"/>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>How far out of order timestamps may be (workers' cached clocks): the margin of the -Since seek and the -Until stop.</summary>
    public TimeSpan Disorder { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Only records with <see cref="UpstreamError.IsUpstreamRelated"/> (what the cmdlet shows without -All).</summary>
    public bool UpstreamOnly { get; init; }

    /// <summary>Only these kinds (null: all).</summary>
    public IReadOnlyCollection<UpstreamErrorKind>? Kinds { get; init; }

    /// <summary>Seek to <see cref="Since"/> by binary search in uncompressed files (default true).</summary>
    public bool SeekToSince { get; init; } = true;

    /// <summary>When records' text is decoded (default: while reading, on the reading thread).</summary>
    public TextDecoding TextDecoding { get; init; } = TextDecoding.WhileReading;

    private bool DecodeNow => TextDecoding == TextDecoding.WhileReading;

    /// <summary>Called about every 4 MB with (source, bytes done, bytes total) for progress bars.</summary>
    public Action<string, long, long>? Progress { get; init; }

    // ---------------------------------------------------------------- files

    /// <summary>Records of one file (plain or gzip). Line numbers are physical lines of the (decompressed) file.</summary>
    public IEnumerable<UpstreamError> ReadFile(string path, ReadStats? stats = null, CancellationToken cancel = default)
    {
        stats ??= new ReadStats();
        var fs = LogFileReader.OpenShared(path);
        return ReadOpened(fs, path, stats, cancel);
    }

    private IEnumerable<UpstreamError> ReadOpened(FileStream fs, string path, ReadStats stats, CancellationToken cancel)
    {
        using (fs)
        {
            var compressed = LogFileReader.IsGzip(fs);
            long startOffset = 0, startLine = 0;
            if (!compressed && Since is { } since && SeekToSince && fs.Length > 1 << 20)
            {
                startOffset = SinceSeeker.Seek(fs, since - Disorder, TimeZone);
                if (startOffset > 0)
                {
                    startLine = SinceSeeker.CountLines(fs, startOffset);
                    stats.Skip("before -Since (seeked past)", startLine);
                    stats.LinesRead += startLine;
                }
            }
            fs.Position = startOffset;
            Stream s = compressed ? new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true) : fs;
            using (compressed ? s : null)
            {
                var total = fs.Length;
                if (UseParallel(compressed, total - startOffset))
                {
                    // A plain file's chunk starts become line-count points for later -Since/-Follow reads.
                    Action<long, long>? remember = compressed ? null : (off, lines) => LineCheckpoints.Add(fs.SafeFileHandle, fs.Name, off, lines);
                    foreach (var e in RecordsParallel(new ChunkCutter(s, startOffset, () => fs.Position, ChunkSize, MaxChunk), startLine, path, stats, cancel, total, remember))
                        yield return e;
                    yield break;
                }
                var sc = new RecordScanner(s, stats, startOffset: startOffset, startLine: startLine);
                foreach (var e in Records(sc, path, stats, cancel, () => fs.Position, total)) yield return e;
                if (sc.Failure is { } f)
                    throw Corrupt(path, sc.LinesSeen, f);
            }
        }
    }

    /// <summary>
    /// Records of several files in the order given. A file that cannot be read, or breaks
    /// half-way, is reported to <paramref name="onError"/> (path, exception) and the next file is
    /// read; without a callback the exception propagates.
    /// </summary>
    public IEnumerable<UpstreamError> ReadFiles(IEnumerable<string> paths, ReadStats? stats = null,
        Action<string, Exception>? onError = null, CancellationToken cancel = default)
    {
        stats ??= new ReadStats();
        foreach (var p in paths)
        {
            IEnumerator<UpstreamError> e;
            try { e = ReadFile(p, stats, cancel).GetEnumerator(); }
            catch (Exception ex) when (onError is not null && ex is IOException or UnauthorizedAccessException)
            {
                onError(p, ex);
                continue;
            }
            using (e)
            {
                while (true)
                {
                    UpstreamError cur;
                    try
                    {
                        if (!e.MoveNext()) break;
                        cur = e.Current;
                    }
                    catch (Exception ex) when (onError is not null && ex is IOException or UnauthorizedAccessException or InvalidDataException)
                    {
                        onError(p, ex);
                        break;
                    }
                    yield return cur;
                }
            }
        }
    }

    /// <summary>
    /// Records of a log and its logrotate siblings (error.log.2.gz, error.log.1, error.log), oldest
    /// first. With <see cref="Since"/>, older files that end before it are not read at all.
    /// </summary>
    public IEnumerable<UpstreamError> ReadRotatedSet(string basePath = DefaultPath, ReadStats? stats = null,
        Action<string, Exception>? onError = null, CancellationToken cancel = default)
        => ReadFiles(FilesNeeded(RotatedLogSet.Expand(basePath)), stats, onError, cancel);

    /// <summary>
    /// Of time-ordered files (oldest first), those that can hold records at or after
    /// <see cref="Since"/>: a file whose successor starts before Since (less <see cref="Disorder"/>)
    /// ends before it too. All files when Since is not set.
    /// </summary>
    public IReadOnlyList<string> FilesNeeded(IReadOnlyList<string> files)
    {
        if (Since is not { } since || files.Count < 2) return files;
        var target = since - Disorder;
        int first = 0;
        for (int i = files.Count - 1; i > 0; i--)
        {
            DateTimeOffset? t;
            try { t = SinceSeeker.FirstTime(files[i], TimeZone); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { t = null; }
            if (t is { } ft && ft <= target) { first = i; break; }
        }
        return files.Skip(first).ToList();
    }

    // ---------------------------------------------------------------- streams and text

    /// <summary>Records of a stream of error.log bytes named <paramref name="source"/> (no seeking).</summary>
    public IEnumerable<UpstreamError> ReadStream(Stream stream, string source, ReadStats? stats = null, CancellationToken cancel = default)
    {
        stats ??= new ReadStats();
        var sc = new RecordScanner(stream, stats);
        foreach (var e in Records(sc, source, stats, cancel, null, 0)) yield return e;
        if (sc.Failure is { } f)
            throw Corrupt(source, sc.LinesSeen, f);
    }

    /// <summary>Records of lines of text (journalctl -o cat, ssh output); a string may hold several lines.</summary>
    public IEnumerable<UpstreamError> ReadLines(IEnumerable<string> lines, string source = "<pipeline>", ReadStats? stats = null,
        CancellationToken cancel = default)
    {
        var t = OpenText(source, stats);
        foreach (var l in lines)
            foreach (var e in t.Push(l)) yield return e;
        foreach (var e in t.Complete()) yield return e;
    }

    /// <summary>An incremental reader for text that arrives piece by piece (a cmdlet's pipeline input).</summary>
    public TextInput OpenText(string source = "<pipeline>", ReadStats? stats = null) => new(this, source, stats ?? new ReadStats());

    /// <summary>Parses one record (one line, or a multi-line record joined with LF); null when it is not an error.log record.</summary>
    public UpstreamError? Parse(string record, string? source = null, long lineNumber = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(record.TrimEnd('\n'));
        var r = new ParsedRecord();
        if (!RecordParser.TryParse(bytes, ref r)) return null;
        var mat = new RecordMaterializer(TimeZone);
        var lt = RecordMaterializer.LocalTicks(r);
        if (lt < 0) return null;
        return mat.Build(bytes, r, mat.ToTime(lt), source ?? "", lineNumber, -1, DecodeNow);
    }

    /// <summary>Parses raw record bytes (the log's own bytes, which need not be UTF-8).</summary>
    public UpstreamError? Parse(ReadOnlySpan<byte> record, string? source = null, long lineNumber = 0)
    {
        var r = new ParsedRecord();
        if (!RecordParser.TryParse(record, ref r)) return null;
        var mat = new RecordMaterializer(TimeZone);
        var lt = RecordMaterializer.LocalTicks(r);
        if (lt < 0) return null;
        return mat.Build(record, r, mat.ToTime(lt), source ?? "", lineNumber, -1, DecodeNow);
    }

    // ---------------------------------------------------------------- follow

    /// <summary>
    /// Follows a log like <c>tail -F</c>: records already in the file from <see cref="Since"/> (none
    /// when Since is not set), then new ones as nginx writes them, across rotation (rename or
    /// copytruncate) until <paramref name="cancel"/> fires. Polls every <paramref name="poll"/>.
    /// </summary>
    public IEnumerable<UpstreamError> Follow(string path, ReadStats? stats = null, TimeSpan? poll = null, CancellationToken cancel = default)
    {
        stats ??= new ReadStats();
        var interval = poll ?? TimeSpan.FromMilliseconds(250);
        var fs = LogFileReader.OpenShared(path);
        try
        {
            long start = fs.Length, startLine = 0;
            if (Since is { } since)
            {
                start = SinceSeeker.Seek(fs, since - Disorder, TimeZone);
                if (start > 0) startLine = SinceSeeker.CountLines(fs, start);
            }
            else if (start > 0) startLine = SinceSeeker.CountLines(fs, start);
            fs.Position = start;
            var sc = new RecordScanner(fs, stats, live: true, startOffset: start, startLine: startLine);
            var filter = new Filter(this);
            bool idle = false;
            while (!cancel.IsCancellationRequested)
            {
                bool any = false;
                foreach (var e in Records(sc, path, stats, cancel, null, 0, filter)) { any = true; yield return e; }
                if (any) { idle = false; continue; }
                if (idle) sc.FlushPending(); // nginx writes a record in one write(): a quiet file means it is complete
                if (WaitHandleWait(cancel, interval)) break;
                idle = true;
                sc.ClearEof();
                // Rotation: the name now points at another file, or the file shrank (copytruncate).
                if (Rotated(fs, path))
                {
                    sc.FlushPending();
                    foreach (var e in Records(sc, path, stats, cancel, null, 0, filter)) yield return e;
                    FileStream? next = null;
                    try { next = LogFileReader.OpenShared(path); } catch (FileNotFoundException) { } catch (DirectoryNotFoundException) { }
                    if (next is null) continue;
                    fs.Dispose();
                    fs = next;
                    sc.Restart(fs);
                    idle = false;
                }
                else if (fs.Length < fs.Position)
                {
                    fs.Position = 0;
                    sc.Restart(fs);
                }
            }
        }
        finally { fs.Dispose(); }
    }

    private static bool WaitHandleWait(CancellationToken cancel, TimeSpan t) => cancel.WaitHandle.WaitOne(t);

    private static bool Rotated(FileStream fs, string path)
    {
        try
        {
            var link = new FileInfo($"/proc/self/fd/{fs.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
            if (link is not null) return link != Path.GetFullPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        try { return new FileInfo(path).Length < fs.Position; } catch (IOException) { return false; }
    }

    // ---------------------------------------------------------------- engine core

    /// <summary>
    /// Parses every record of a file and counts those that pass the filters, without building
    /// objects: the engine's raw throughput (what the benchmark reports as engine MB/s).
    /// </summary>
    public long Count(string path, ReadStats? stats = null, CancellationToken cancel = default)
    {
        stats ??= new ReadStats();
        using var fs = LogFileReader.OpenShared(path);
        var compressed = LogFileReader.IsGzip(fs);
        using Stream s = compressed ? new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true) : fs;
        if (UseParallel(compressed, fs.Length))
        {
            var k = CountParallel(new ChunkCutter(s, 0, null, ChunkSize, MaxChunk), stats, cancel);
            stats.RecordsEmitted += k;
            return k;
        }
        var n = CountRecords(new RecordScanner(s, stats), new Filter(this), stats, cancel, out _);
        stats.RecordsEmitted += n;
        return n;
    }

    /// <summary>Records of a scanner that pass the filters, counted without building objects; <paramref name="stopped"/>: the read went past -Until.</summary>
    private static long CountRecords(RecordScanner sc, Filter f, ReadStats stats, CancellationToken cancel, out bool stopped)
    {
        var r = new ParsedRecord();
        long n = 0;
        stopped = false;
        while (sc.MoveNext())
        {
            if ((n & 0xFFF) == 0) cancel.ThrowIfCancellationRequested();
            if (f.Accept(sc.Record, ref r, stats, out _, out stopped)) n++;
            if (stopped) break;
        }
        return n;
    }

    private static LogReadException Corrupt(string source, long line, Exception inner) =>
        new($"'{source}' is corrupt or unreadable after line {line}: {inner.Message}", source, line, inner);

    // A gzip file inflates to several times its size; its decompression stays on the reading thread.
    private bool UseParallel(bool compressed, long bytes) => MaxParallelism > 1 && bytes >= (compressed ? ParallelThreshold / 4 : ParallelThreshold);

    private IEnumerable<UpstreamError> Records(RecordScanner sc, string source, ReadStats stats, CancellationToken cancel,
        Func<long>? position, long total, Filter? filter = null)
    {
        var f = filter ?? new Filter(this);
        var r = new ParsedRecord();
        long nextProgress = 4 << 20;
        int tick = 0;
        while (sc.MoveNext())
        {
            if ((++tick & 0x3FF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                if (Progress is not null && position is not null)
                {
                    var done = position();
                    if (done >= nextProgress) { nextProgress = done + (4 << 20); Progress(source, done, total); }
                }
            }
            if (!f.Accept(sc.Record, ref r, stats, out var time, out var stop))
            {
                if (stop) yield break;
                continue;
            }
            stats.RecordsEmitted++;
            yield return f.Materializer.Build(sc.Record, r, time, source, sc.Line, sc.Offset, DecodeNow);
        }
    }

    /// <summary>The filters, applied on the parsed bytes before any string is made.</summary>
    private sealed class Filter
    {
        private readonly NginxErrorLogReader _o;
        private readonly bool[]? _kinds;
        private readonly DateTimeOffset? _stopAfter;
        private readonly bool _prefilterFirst;
        public readonly RecordMaterializer Materializer;

        public Filter(NginxErrorLogReader o)
        {
            _o = o;
            Materializer = new RecordMaterializer(o.TimeZone);
            if (o.Kinds is { } ks)
            {
                _kinds = new bool[Enum.GetValues<UpstreamErrorKind>().Cast<int>().Max() + 1];
                foreach (var k in ks) _kinds[(int)k] = true;
            }
            if (o.Until is { } u) _stopAfter = u + o.Disorder;
            // Without a time window, only records the prefilter lets through need their header:
            // most lines of a log are skipped without parsing it (a malformed header among them
            // is then counted as not upstream-related, which it also is).
            _prefilterFirst = o.UpstreamOnly && o.Since is null && o.Until is null;
        }

        public bool Accept(ReadOnlySpan<byte> s, ref ParsedRecord r, ReadStats stats, out DateTimeOffset time, out bool stop)
        {
            stop = false;
            time = default;
            if (_prefilterFirst && !Classifier.CanBeUpstream(s)) { stats.Skip("not upstream-related"); return false; }
            if (!RecordParser.TryParseHeader(s, ref r, out var body)) { stats.Skip("malformed header"); return false; }
            var lt = Materializer.LocalTicksCached(r);
            if (lt < 0) { stats.Skip("impossible timestamp"); return false; }
            time = Materializer.ToTime(lt);
            if (_o.Since is { } since && time < since) { stats.Skip("before -Since"); return false; }
            if (_o.Until is { } until && time > until)
            {
                stats.Skip("after -Until");
                if (time > _stopAfter) stop = true;
                return false;
            }
            // Prefilter: a record without the words an upstream-side classification needs skips the parse.
            if (_o.UpstreamOnly && !_prefilterFirst && !Classifier.CanBeUpstream(s)) { stats.Skip("not upstream-related"); return false; }
            RecordParser.ParseBody(s, body, ref r, _o.DecodeNow);
            if (_o.UpstreamOnly && r.Side != ErrorSide.Upstream) { stats.Skip("not upstream-related"); return false; }
            if (_kinds is not null && !_kinds[(int)r.Kind]) { stats.Skip("other kind"); return false; }
            return true;
        }
    }

    /// <summary>Incremental text input: push pipeline strings, get records as they complete.</summary>
    public sealed class TextInput
    {
        private readonly NginxErrorLogReader _owner;
        private readonly string _source;
        private readonly ReadStats _stats;
        private readonly RecordScanner _sc;
        private readonly Filter _filter;
        private byte[] _scratch = new byte[4096];

        internal TextInput(NginxErrorLogReader owner, string source, ReadStats stats)
        {
            _owner = owner;
            _source = source;
            _stats = stats;
            _sc = new RecordScanner(null, stats, live: true, bufferSize: 1 << 16);
            _filter = new Filter(owner);
        }

        /// <summary>Accounting of this input.</summary>
        public ReadStats Stats => _stats;

        /// <summary>Adds a string (one or more lines; a missing final LF is implied) and returns the records it completed.</summary>
        public IReadOnlyList<UpstreamError> Push(string text)
        {
            var n = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
            if (_scratch.Length < n) _scratch = new byte[Math.Max(n, _scratch.Length * 2)];
            var len = Encoding.UTF8.GetBytes(text, _scratch);
            if (len == 0 || _scratch[len - 1] != '\n') _scratch[len++] = (byte)'\n';
            _sc.Append(_scratch.AsSpan(0, len));
            return Drain();
        }

        /// <summary>No more input: returns the last record.</summary>
        public IReadOnlyList<UpstreamError> Complete()
        {
            _sc.Complete();
            return Drain();
        }

        private List<UpstreamError> Drain()
        {
            List<UpstreamError>? list = null;
            foreach (var e in _owner.Records(_sc, _source, _stats, CancellationToken.None, null, 0, _filter))
                (list ??= new List<UpstreamError>()).Add(e);
            return list ?? Empty;
        }

        private static readonly List<UpstreamError> Empty = new();
    }
}

