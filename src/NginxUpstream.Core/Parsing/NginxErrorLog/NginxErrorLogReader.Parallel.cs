using System.Collections.Concurrent;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.NginxErrorLog;

public sealed partial class NginxErrorLogReader
{
    /// <summary>
    /// Threads that parse a large file at once (default: the CPU count, at most 8; 1 reads
    /// sequentially). Records still come out in file order with exact line numbers; the
    /// enumerating thread reads the file, hands out chunks and parses them too, beside
    /// MaxParallelism - 1 workers.
    /// </summary>
    public int MaxParallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// Inputs smaller than this are read sequentially (threads cost more than they save). 4 MB: the
    /// last 15 minutes of the 508 MiB benchmark log (6 MB) read in parallel too.
    /// </summary>
    internal long ParallelThreshold { get; init; } = 4L << 20;

    /// <summary>How long a parse worker waits for a chunk before it ends (a slow consumer parses the rest itself).</summary>
    internal TimeSpan WorkerIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes between the line-count points a full read leaves for later -Since/-Follow reads
    /// (<see cref="LineCheckpoints"/>): a -Since read counts newlines from the nearest one, at most
    /// this far (8 MB: ~1 ms; 32 MB cost a -Since of the benchmark log ~4 ms of its ~15).
    /// </summary>
    internal long CheckpointInterval { get; init; } = 8L << 20;

    /// <summary>Bytes per chunk of a parallel read (tests make it small to cross many boundaries).</summary>
    internal int ChunkSize { get; init; } = ChunkCutter.DefaultChunkSize;

    /// <summary>Longest stretch without a safe cut before a parallel read goes on sequentially (<see cref="ChunkCutter.DefaultMaxChunk"/>).</summary>
    internal int MaxChunk { get; init; } = ChunkCutter.DefaultMaxChunk;

    private sealed class ChunkResult<T>
    {
        public T Value = default!;
        public readonly ReadStats Stats = new();
        public bool Stop;
        /// <summary>Physical lines of the chunk.</summary>
        public long LinesSeen;
    }

    /// <summary>One chunk's parse: run once, by a worker or by the consumer, whichever claims it first.</summary>
    private sealed class Job<T>(Chunk chunk, Func<ChunkResult<T>> run)
    {
        private int _claimed;
        private readonly TaskCompletionSource<ChunkResult<T>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Chunk Chunk => chunk;
        public Task<ChunkResult<T>> Done => _done.Task;

        /// <summary>Runs the parse unless another thread has claimed it; false when it had.</summary>
        public bool TryRun()
        {
            if (Interlocked.Exchange(ref _claimed, 1) != 0) return false;
            try { _done.SetResult(run()); }
            catch (OperationCanceledException e) { _done.SetCanceled(e.CancellationToken); }
            catch (Exception e) { _done.SetException(e); }
            return true;
        }

        /// <summary>Makes sure nobody starts it (the read is over); true when it had not started.</summary>
        public bool Retire()
        {
            if (Interlocked.Exchange(ref _claimed, 1) != 0) return false;
            _done.SetCanceled();
            return true;
        }
    }

    /// <summary>
    /// Runs <paramref name="parse"/> on the chunks <paramref name="cutter"/> hands out and returns
    /// the results in file order; the caller merges each chunk's stats when it consumes it. The
    /// parsing threads are <see cref="MaxParallelism"/> - 1 workers and the consuming thread itself,
    /// which parses a waiting chunk instead of blocking on the oldest: the consumer's own work
    /// (reading, building objects) is a fraction of a core, and with a worker per core beside it the
    /// three threads took turns on two cores. Stops handing out chunks after one that says stop
    /// (-Until), and when the enumeration is abandoned.
    /// </summary>
    private IEnumerable<(ChunkResult<T> Result, Chunk Chunk)> Chunks<T>(ChunkCutter cutter,
        Func<Chunk, Filter, ChunkResult<T>, CancellationToken, T> parse, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var filters = new ConcurrentBag<Filter>();
        var inFlight = new Queue<Job<T>>();
        var pending = new ConcurrentQueue<Job<T>>();
        using var ready = new SemaphoreSlim(0);
        int depth = MaxParallelism + 2; // chunks read ahead: enough that no parser waits for one
        var workers = new Task[Math.Max(1, MaxParallelism - 1)];
        for (int i = 0; i < workers.Length; i++)
            workers[i] = Task.Factory.StartNew(() =>
            {
                try
                {
                    // A worker left idle this long ends: an enumeration dropped without being disposed
                    // leaves no thread behind (the consumer parses whatever is still waiting).
                    while (ready.Wait(WorkerIdleTimeout, stop.Token))
                        if (pending.TryDequeue(out var j)) j.TryRun();
                }
                catch (OperationCanceledException) { }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool more = true;
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                while (more && inFlight.Count < depth)
                {
                    var c = cutter.Next();
                    if (c is null) { more = false; break; }
                    var job = new Job<T>(c, () =>
                    {
                        var f = filters.TryTake(out var x) ? x : new Filter(this);
                        try
                        {
                            var res = new ChunkResult<T>();
                            res.Value = parse(c, f, res, stop.Token);
                            return res;
                        }
                        finally { filters.Add(f); }
                    });
                    inFlight.Enqueue(job);
                    pending.Enqueue(job);
                    ready.Release();
                }
                if (inFlight.Count == 0) yield break;
                var oldest = inFlight.Dequeue();
                // Parse what nobody has started, the oldest first, rather than wait.
                if (!oldest.Done.IsCompleted && !oldest.TryRun())
                    foreach (var j in inFlight)
                    {
                        if (oldest.Done.IsCompleted) break;
                        j.TryRun();
                    }
                ChunkResult<T> r;
                try { r = oldest.Done.GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { cancel.ThrowIfCancellationRequested(); throw; }
                yield return (r, oldest.Chunk); // the caller returns the chunk's buffer once it has used it
                if (r.Stop) yield break;
            }
        }
        finally
        {
            stop.Cancel();
            // Workers stop at their next check; wait so no thread still reads a buffer or the stream.
            foreach (var j in inFlight)
                if (!j.Retire())
                    try { j.Done.Wait(); } catch (AggregateException) { } catch (OperationCanceledException) { }
            try { Task.WaitAll(workers); } catch (AggregateException) { }
        }
    }

    /// <summary>
    /// Parses one chunk with the same scanner and filters a sequential read uses. Its line numbers
    /// count from the chunk's start: the consumer adds the lines before it.
    /// </summary>
    private static RecordScanner ChunkScanner(Chunk c, ReadStats stats) =>
        new(c.Buffer, c.Length, stats, c.Offset, startLine: 0);

    /// <summary>
    /// The records a worker accepted in one chunk: where each is in the chunk, its time and the
    /// values its object carries, plus the whole parsed record when text is decoded now. The consumer
    /// builds the objects (and decodes text) as it yields them, so objects and strings are made
    /// where they are consumed and die young. Built on the workers, the objects waiting in the queue
    /// were promoted by every collection: ~50 gen1 collections a 500 MB read instead of 3, and with
    /// text decoded now a read of every record took 6.4 s instead of 2.9 s.
    /// </summary>
    private sealed class ChunkRecords
    {
        public Parsed[] Records = new Parsed[64];
        /// <summary>The whole parsed records, kept only when text is decoded now (the consumer decodes from them).</summary>
        public ParsedRecord[]? Full;
        public int Count;

        public struct Parsed
        {
            public int Start, Length;
            public long Line, Offset;
            public DateTimeOffset Time;
            public RecordFacts Facts;
        }

        public void Add(int start, int length, long line, long offset, DateTimeOffset time, in ParsedRecord r, bool keepFields)
        {
            if (Count == Records.Length) Array.Resize(ref Records, Count * 2);
            ref var p = ref Records[Count];
            p.Start = start; p.Length = length; p.Line = line; p.Offset = offset; p.Time = time; p.Facts = new RecordFacts(r);
            if (keepFields)
            {
                Full ??= new ParsedRecord[Records.Length];
                if (Full.Length < Records.Length) Array.Resize(ref Full, Records.Length);
                Full[Count] = r;
            }
            Count++;
        }

        /// <summary>Record <paramref name="i"/>'s object; <paramref name="linesBefore"/>: the lines before the chunk.</summary>
        public UpstreamError Build(int i, byte[] buffer, long linesBefore, string source, TextDecoder decoder, bool decodeNow)
        {
            ref readonly var p = ref Records[i];
            var s = buffer.AsSpan(p.Start, p.Length);
            return RecordMaterializer.Build(s, p.Facts, p.Time, source, linesBefore + p.Line, p.Offset, decodeNow ? decoder.Text(s, Full![i]) : null, decoder);
        }

        public void Clear() => Count = 0; // the records hold no references: nothing to release
    }

    private IEnumerable<UpstreamError> RecordsParallel(ChunkCutter cutter, long startLine, string source, ReadStats stats, CancellationToken cancel, long total,
        Action<long, long>? checkpoint = null)
    {
        long lines = startLine, nextPoint = 0; // lines: physical lines before the chunk being consumed
        var decoder = new TextDecoder();
        bool decodeNow = DecodeNow;
        // Reused: a chunk's arrays grow to hundreds of KB, which new ones would put on the large-object heap.
        var pool = new ConcurrentBag<ChunkRecords>();
        foreach (var (r, chunk) in Chunks<ChunkRecords>(cutter, (c, f, res, token) =>
                 {
                     var sc = ChunkScanner(c, res.Stats);
                     var output = pool.TryTake(out var o) ? o : new ChunkRecords();
                     var rec = new ParsedRecord();
                     int tick = 0;
                     while (sc.MoveNext())
                     {
                         if ((++tick & 0xFFF) == 0) token.ThrowIfCancellationRequested();
                         if (!f.Accept(sc.Record, ref rec, res.Stats, out var time, out var stop))
                         {
                             if (stop) { res.Stop = true; break; }
                             continue;
                         }
                         output.Add(sc.Start, sc.Length, sc.Line, sc.Offset, time, rec, decodeNow);
                     }
                     res.LinesSeen = sc.LinesSeen;
                     return output;
                 }, cancel))
        {
            stats.Add(r.Stats);
            if (checkpoint is not null && chunk.Offset >= nextPoint)
            {
                checkpoint(chunk.Offset, lines);
                nextPoint = chunk.Offset + CheckpointInterval;
            }
            if (Progress is not null) Progress(source, chunk.Position, total);
            var output = r.Value;
            for (int i = 0; i < output.Count; i++)
            {
                if ((i & 0x3FF) == 0x3FF) cancel.ThrowIfCancellationRequested();
                stats.RecordsEmitted++;
                yield return output.Build(i, chunk.Buffer, lines, source, decoder, decodeNow);
            }
            lines += r.LinesSeen;
            cutter.Return(chunk);
            output.Clear();
            pool.Add(output);
            if (r.Stop) yield break;
        }
        if (cutter.Overflowed)
        {
            // A stretch without a safe cut (a line of many MB): the rest is read sequentially.
            var (rest, offset) = cutter.Rest();
            var sc = new RecordScanner(rest, stats, startOffset: offset, startLine: lines);
            foreach (var e in Records(sc, source, stats, cancel, null, total)) yield return e;
            lines = sc.LinesSeen;
            if (sc.Failure is { } f) throw Corrupt(source, lines, f);
        }
        if (cutter.Failure is { } fail)
            throw Corrupt(source, lines, fail);
    }

    private long CountParallel(ChunkCutter cutter, ReadStats stats, CancellationToken cancel)
    {
        long n = 0, lines = 0;
        foreach (var (r, chunk) in Chunks<long>(cutter, (c, f, res, token) =>
                 {
                     var sc = ChunkScanner(c, res.Stats);
                     var k = CountRecords(sc, f, res.Stats, token, out var stop);
                     res.Stop = stop;
                     res.LinesSeen = sc.LinesSeen;
                     return k;
                 }, cancel))
        {
            stats.Add(r.Stats);
            lines += r.LinesSeen;
            n += r.Value;
            cutter.Return(chunk);
            if (r.Stop) return n;
        }
        if (cutter.Overflowed)
        {
            var (rest, offset) = cutter.Rest();
            n += CountRecords(new RecordScanner(rest, stats, startOffset: offset, startLine: lines), new Filter(this), stats, cancel, out _);
        }
        return n;
    }
}
