using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>
/// A parallel read cuts the file into chunks parsed on several threads: it must give exactly what
/// the sequential read gives — records, order, every field, line numbers, offsets and accounting —
/// wherever the cuts fall. Chunks of 16 KiB put hundreds of cuts through multi-line records,
/// header-less stretches, overlong lines and CRLF.
/// </summary>
public sealed class ParallelReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nu-parallel-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static NginxErrorLogReader Sequential(bool upstreamOnly = false, DateTimeOffset? since = null, DateTimeOffset? until = null) =>
        new() { TimeZone = TimeZoneInfo.Utc, MaxParallelism = 1, UpstreamOnly = upstreamOnly, Since = since, Until = until };

    private static NginxErrorLogReader Parallel(bool upstreamOnly = false, DateTimeOffset? since = null, DateTimeOffset? until = null,
        TextDecoding decoding = TextDecoding.WhileReading) =>
        new()
        {
            TimeZone = TimeZoneInfo.Utc, MaxParallelism = 4, ChunkSize = 16 << 10, ParallelThreshold = 0, UpstreamOnly = upstreamOnly, Since = since, Until = until,
            TextDecoding = decoding,
        };

    /// <summary>The corpus (multi-line FastCGI records, stream/mail lines, odd bytes), the benchmark mix, and the awkward cases.</summary>
    private string MixedLog()
    {
        var path = Path.Combine(_dir, "mixed.log");
        var corpus = File.ReadAllBytes(TestPaths.Corpus("nginx-error-log", "corpus.log"));
        var bench = Path.Combine(_dir, "bench.log");
        ErrorLogBench.Generator.Write(bench, 20_000);
        using (var o = File.Create(path))
        {
            var rnd = new Random(7);
            var benchBytes = File.ReadAllBytes(bench);
            for (int i = 0; i < 6; i++)
            {
                o.Write(corpus);
                // A slice of the benchmark log starting mid-line (a stray partial line).
                int a = rnd.Next(benchBytes.Length / 2);
                o.Write(benchBytes, a, benchBytes.Length / 8);
                o.Write("\n"u8);
                // A header-less stretch longer than the cutter's window: the fallback cut.
                for (int k = 0; k < 3000; k++) o.Write("    continuation-like text without a header, \"quoted\n"u8);
                // An open FastCGI record whose continuation follows.
                o.Write("2026/11/26 10:00:00 [error] 5#5: *9 FastCGI sent in stderr: \"PHP message: a\n"u8);
                o.Write("PHP message: b\" while reading response header from upstream, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php.sock:\", host: \"x\"\n"u8);
                o.Write("2026/11/26 10:00:01 [error] 5#5: *10 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\r\n"u8);
                if (i == 3)
                {
                    // A line longer than the scanner's 1 MiB limit, and binary garbage.
                    o.Write(Encoding.ASCII.GetBytes("2026/11/26 10:00:02 [error] 5#5: " + new string('x', (1 << 20) + 10) + "\n"));
                    var junk = new byte[5000];
                    rnd.NextBytes(junk);
                    o.Write(junk);
                    o.Write("\n"u8);
                }
            }
            o.Write(benchBytes, 0, benchBytes.Length / 4);
            o.Write("2026/11/26 23:59:59 [error] 5#5: *11 upstream prematurely closed connection while reading response header from upstream, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\""u8); // no final LF
        }
        return path;
    }

    private static string Json(UpstreamError e) => JsonSerializer.Serialize(e);

    private static void AssertSameRead(NginxErrorLogReader seq, NginxErrorLogReader par, string path)
    {
        var s1 = new ReadStats();
        var s2 = new ReadStats();
        var expected = seq.ReadFile(path, s1).Select(Json).ToList();
        var actual = par.ReadFile(path, s2).Select(Json).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(s1.ToString(), s2.ToString());
        // After an -Until stop each read has read ahead by its own buffer size.
        if (seq.Until is null) Assert.Equal(s1.BytesRead, s2.BytesRead);
        var c1 = new ReadStats();
        var c2 = new ReadStats();
        Assert.Equal(seq.Count(path, c1), par.Count(path, c2));
        Assert.Equal(c1.ToString(), c2.ToString());
    }

    [Fact]
    public void Parallel_read_equals_sequential_read_record_for_record()
    {
        var path = MixedLog();
        AssertSameRead(Sequential(), Parallel(), path);
        Assert.True(Sequential().ReadFile(path).Count() > 20_000);
    }

    /// <summary>Decoded on first use, a parallel read's workers hand over only the values an object carries: the objects must still be the same, text included.</summary>
    [Fact]
    public void Parallel_read_with_text_decoded_on_first_use_equals_sequential_read_with_text()
    {
        var path = MixedLog();
        AssertSameRead(Sequential(), Parallel(decoding: TextDecoding.OnFirstUse), path);
        AssertSameRead(Sequential(upstreamOnly: true), Parallel(upstreamOnly: true, decoding: TextDecoding.OnFirstUse), path);
    }

    [Fact]
    public void Parallel_upstream_only_and_time_window_equal_sequential()
    {
        var path = MixedLog();
        AssertSameRead(Sequential(upstreamOnly: true), Parallel(upstreamOnly: true), path);
        var since = new DateTimeOffset(2026, 11, 26, 23, 0, 0, TimeSpan.Zero);
        var until = new DateTimeOffset(2026, 11, 26, 23, 30, 0, TimeSpan.Zero);
        AssertSameRead(Sequential(since: since, until: until), Parallel(since: since, until: until), path);
    }

    [Fact]
    public void Parallel_gzip_and_corrupt_gzip_equal_sequential()
    {
        var path = MixedLog();
        var gz = path + ".gz";
        using (var i = File.OpenRead(path))
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            i.CopyTo(o);
        AssertSameRead(Sequential(), Parallel(), gz);

        // Damage the gzip in the middle: the records before the break, then the same error.
        var broken = path + ".broken.gz";
        var bytes = File.ReadAllBytes(gz);
        for (int i = bytes.Length * 2 / 3; i < bytes.Length * 2 / 3 + 64; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(broken, bytes);
        (List<string> Records, LogReadException? Error) Read(NginxErrorLogReader r)
        {
            var got = new List<string>();
            try { foreach (var e in r.ReadFile(broken)) got.Add(Json(e)); }
            catch (LogReadException ex) { return (got, ex); }
            return (got, null);
        }
        var (seqRecords, seqError) = Read(Sequential());
        var (parRecords, parError) = Read(Parallel());
        Assert.NotNull(seqError);
        Assert.NotNull(parError);
        // How much inflates before the damage depends on the size of the reads (the scanner's and the
        // cutter's differ), so one read may salvage a few more lines; both keep everything up to there.
        // The last record before the break may itself be cut short where the inflated data ends.
        var n = Math.Min(seqRecords.Count, parRecords.Count) - 1;
        Assert.Equal(seqRecords.Take(n), parRecords.Take(n));
        Assert.True(Math.Abs(seqRecords.Count - parRecords.Count) < 1000, $"{seqRecords.Count} vs {parRecords.Count}");
        Assert.True(parRecords.Count > 1000);
        long LastLine(List<string> r) => JsonDocument.Parse(r[^1]).RootElement.GetProperty("LineNumber").GetInt64();
        Assert.True(seqError!.LineNumber >= LastLine(seqRecords));
        Assert.True(parError!.LineNumber >= LastLine(parRecords));
        Assert.StartsWith($"'{broken}' is corrupt or unreadable after line {parError.LineNumber}:", parError.Message);
    }

    [Fact]
    public void A_stretch_without_a_safe_cut_longer_than_the_chunk_limit_is_read_on_sequentially()
    {
        var path = Path.Combine(_dir, "huge-line.log");
        var corpus = File.ReadAllBytes(TestPaths.Corpus("nginx-error-log", "corpus.log"));
        using (var o = File.Create(path))
        {
            for (int i = 0; i < 20; i++) o.Write(corpus);
            // 3 MB without a newline: no cut anywhere in it.
            o.Write(Encoding.ASCII.GetBytes("2026/11/26 10:00:02 [error] 5#5: " + new string('y', 3 << 20) + "\n"));
            for (int i = 0; i < 20; i++) o.Write(corpus);
        }
        var par = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, MaxParallelism = 4, ChunkSize = 16 << 10, MaxChunk = 1 << 20, ParallelThreshold = 0 };
        AssertSameRead(Sequential(), par, path);
        Assert.Equal(40 * 124, par.ReadFile(path).Count());
    }

    /// <summary>
    /// The consumer parses chunks itself when no worker has started them; workers that wait too long
    /// for a chunk end. A consumer slower than that timeout gets the same records, parsed by itself.
    /// </summary>
    [Fact]
    public void A_consumer_slower_than_the_workers_idle_timeout_parses_the_rest_itself()
    {
        var path = MixedLog();
        var expected = Sequential().ReadFile(path).Select(Json).ToList();
        var par = new NginxErrorLogReader
        {
            TimeZone = TimeZoneInfo.Utc, MaxParallelism = 3, ChunkSize = 16 << 10, ParallelThreshold = 0, WorkerIdleTimeout = TimeSpan.FromMilliseconds(50),
        };
        var actual = new List<string>();
        foreach (var e in par.ReadFile(path))
        {
            actual.Add(Json(e));
            if (actual.Count == 100) Thread.Sleep(300); // every worker times out here
        }
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void Abandoning_a_parallel_read_early_stops_its_workers()
    {
        var path = MixedLog();
        var first = Parallel().ReadFile(path).Take(5).Select(Json).ToList();
        Assert.Equal(Sequential().ReadFile(path).Take(5).Select(Json), first);
        using var cts = new CancellationTokenSource();
        int n = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in Parallel().ReadFile(path, cancel: cts.Token))
                if (++n == 3000) cts.Cancel();
        });
        Assert.True(n >= 3000 && n < 3000 + 1024 + 1, $"{n} records after cancelling");
    }
}
