using System.IO.Compression;
using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>The reader's sources, record assembly, filters and -Since seek.</summary>
public class ReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nu-errlog").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Line(DateTime t, int conn, string uri = "/api") =>
        $"{t:yyyy/MM/dd HH:mm:ss} [error] 31#31: *{conn} recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.0.0.1, server: _, request: \"POST {uri} HTTP/1.1\", upstream: \"http://127.0.0.1:8000{uri}\", host: \"app\"";

    private static readonly NginxErrorLogReader Utc = new() { TimeZone = TimeZoneInfo.Utc };

    [Fact]
    public void TextInputJoinsContinuationLinesPushedSeparately()
    {
        var t = Utc.OpenText();
        Assert.Empty(t.Push("2026/11/27 00:17:29 [error] 1#1: *69 FastCGI sent in stderr: \"PHP message: boom"));
        Assert.Empty(t.Push("Stack trace:"));
        Assert.Empty(t.Push("#0 {main}\" while reading response header from upstream, client: 1.2.3.4, server: s, request: \"GET /x HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\""));
        var first = t.Push(Line(new DateTime(2026, 11, 27, 0, 17, 30), 70));
        var e = Assert.Single(first);
        Assert.Equal(UpstreamErrorKind.FastCgiStderr, e.Kind);
        Assert.Equal("PHP message: boom\nStack trace:\n#0 {main}", e.Message["FastCGI sent in stderr: \"".Length..^1]);
        Assert.Equal("1.2.3.4", e.Client);
        Assert.Equal(1, e.LineNumber);
        var last = Assert.Single(t.Complete());
        Assert.Equal(4, last.LineNumber);
        Assert.Equal(0, t.Stats.SkippedTotal);
    }

    [Fact]
    public void StrayLinesAreSkippedNotGluedToAClosedRecord()
    {
        var text = Line(new DateTime(2026, 1, 1), 1) + "\nsome other program's output\n\n" + Line(new DateTime(2026, 1, 1, 0, 0, 1), 2) + "\n";
        var stats = new ReadStats();
        var all = Utc.ReadStream(new MemoryStream(Encoding.UTF8.GetBytes(text)), "s", stats).ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal("/api", all[0].Uri);
        Assert.Equal(1, stats.Skipped["not an nginx error.log line"]);
        Assert.Equal(1, stats.Skipped["empty line"]);
        Assert.Equal(4, all[1].LineNumber);
    }

    [Fact]
    public void CrlfLinesAndMissingFinalNewline()
    {
        var text = Line(new DateTime(2026, 1, 1), 1) + "\r\n" + Line(new DateTime(2026, 1, 1), 2);
        var all = Utc.ReadStream(new MemoryStream(Encoding.UTF8.GetBytes(text)), "s").ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal("app", all[0].Host);
        Assert.Equal("app", all[1].Host);
    }

    [Fact]
    public void FiltersRunBeforeObjectsAreBuilt()
    {
        var lines = new[]
        {
            Line(new DateTime(2026, 1, 1, 0, 0, 0), 1),
            "2026/01/01 00:00:01 [info] 31#31: *2 client 10.0.0.2 closed keepalive connection",
            Line(new DateTime(2026, 1, 1, 0, 0, 2), 3),
        };
        var stats = new ReadStats();
        var up = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true }.ReadLines(lines, stats: stats).ToList();
        Assert.Equal(new long?[] { 1, 3 }, up.Select(e => e.ConnectionId));
        Assert.Equal(1, stats.Skipped["not upstream-related"]);
        var kinds = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Kinds = new[] { UpstreamErrorKind.ClientClosed } }.ReadLines(lines).ToList();
        Assert.Equal(ErrorSide.Client, Assert.Single(kinds).Side);
        var until = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Until = new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero) }.ReadLines(lines).ToList();
        Assert.Equal(2, until.Count);
    }

    [Fact]
    public void TimeZoneAppliesToZonelessStamps()
    {
        var berlin = NginxUpstream.Time.TimeZones.Resolve("Europe/Berlin");
        var e = new NginxErrorLogReader { TimeZone = berlin }.Parse(Line(new DateTime(2026, 7, 1, 12, 0, 0), 1))!;
        Assert.Equal(TimeSpan.FromHours(2), e.Time.Offset);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero), e.Time.ToUniversalTime());
    }

    [Fact]
    public void SinceSeeksAndKeepsExactLineNumbers()
    {
        var path = Path.Combine(_dir, "big.log");
        var t0 = new DateTime(2026, 1, 1);
        using (var w = new StreamWriter(path))
            for (int i = 1; i <= 40000; i++) w.Write(Line(t0.AddSeconds(i / 4), i, $"/p/{i}") + "\n");
        Assert.True(new FileInfo(path).Length > 4 << 20);
        var since = new DateTimeOffset(t0.AddSeconds(9000), TimeSpan.Zero);
        var stats = new ReadStats();
        var r = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Since = since }.ReadFile(path, stats).ToList();
        var expectedFirst = 9000 * 4; // i/4 == 9000 first at i = 36000
        Assert.Equal(40000 - expectedFirst + 1, r.Count);
        Assert.Equal(expectedFirst, r[0].LineNumber);
        Assert.Equal($"/p/{expectedFirst}", r[0].Uri);
        Assert.All(r, e => Assert.Equal($"/p/{e.LineNumber}", e.Uri));
        Assert.True(stats.Skipped["before -Since (seeked past)"] > 30000, "the seek skipped the start without parsing it");
        // Without the seek: same records.
        var full = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Since = since, SeekToSince = false }.ReadFile(path).ToList();
        Assert.Equal(full.Select(e => e.LineNumber), r.Select(e => e.LineNumber));
    }

    [Fact]
    public void RotatedSetSkipsFilesThatEndBeforeSince()
    {
        var t0 = new DateTime(2026, 1, 1);
        void Write(string name, int day, bool gz)
        {
            var text = string.Join("\n", Enumerable.Range(0, 10).Select(i => Line(t0.AddDays(day).AddHours(i), day * 100 + i))) + "\n";
            var p = Path.Combine(_dir, name);
            if (!gz) { File.WriteAllText(p, text); return; }
            using var fs = File.Create(p);
            using var z = new GZipStream(fs, CompressionLevel.Fastest);
            z.Write(Encoding.UTF8.GetBytes(text));
        }
        Write("error.log.3.gz", 0, true);
        Write("error.log.2.gz", 1, true);
        Write("error.log.1", 2, false);
        Write("error.log", 3, false);
        var all = Utc.ReadRotatedSet(Path.Combine(_dir, "error.log")).ToList();
        Assert.Equal(40, all.Count);
        Assert.True(all.Select(e => e.Time).SequenceEqual(all.Select(e => e.Time).Order()), "oldest first");
        var reader = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Since = new DateTimeOffset(t0.AddDays(2).AddHours(5), TimeSpan.Zero) };
        var needed = reader.FilesNeeded(RotatedLogSet.Expand(Path.Combine(_dir, "error.log")));
        Assert.Equal(new[] { "error.log.1", "error.log" }, needed.Select(Path.GetFileName));
        Assert.Equal(15, reader.ReadRotatedSet(Path.Combine(_dir, "error.log")).Count());
    }

    [Fact]
    public void ReadFilesReportsBadFilesAndGoesOn()
    {
        var good = Path.Combine(_dir, "good.log");
        File.WriteAllText(good, Line(new DateTime(2026, 1, 1), 1) + "\n");
        var errors = new List<(string, Exception)>();
        var r = Utc.ReadFiles(new[] { Path.Combine(_dir, "missing.log"), good }, onError: (p, e) => errors.Add((p, e))).ToList();
        Assert.Single(r);
        var (p, e) = Assert.Single(errors);
        Assert.IsType<FileNotFoundException>(e);
    }

    [Fact]
    public void CorruptGzipYieldsWhatWasReadThenThrowsLogReadException()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 30000; i++) sb.Append(Line(new DateTime(2026, 1, 1).AddSeconds(i), i, $"/{i * 7919 % 100003}")).Append('\n');
        var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest, true)) z.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        var bytes = ms.ToArray();
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5A;
        var path = Path.Combine(_dir, "bad.log.gz");
        File.WriteAllBytes(path, bytes);
        var got = new List<UpstreamError>();
        var ex = Assert.Throws<LogReadException>(() => { foreach (var e in Utc.ReadFile(path)) got.Add(e); });
        Assert.True(got.Count > 1000 && got.Count < 30000, $"{got.Count} records before the break");
        Assert.True(ex.LineNumber >= got.Count);
    }

    [Fact]
    public void OverlongLineCostsOnlyItsBytes()
    {
        var path = Path.Combine(_dir, "long.log");
        using (var fs = File.Create(path))
        {
            fs.Write(Encoding.ASCII.GetBytes(Line(new DateTime(2026, 1, 1), 1) + "\n"));
            fs.Write(Encoding.ASCII.GetBytes(new string('A', 10 << 20)));
            fs.Write(Encoding.ASCII.GetBytes("\n" + Line(new DateTime(2026, 1, 1), 2) + "\n"));
        }
        var stats = new ReadStats();
        var r = Utc.ReadFile(path, stats).ToList();
        Assert.Equal(new long?[] { 1, 2 }, r.Select(e => e.ConnectionId));
        Assert.Equal(3, r[1].LineNumber);
        Assert.Equal(1, stats.Skipped.Single(k => k.Key.StartsWith("line longer than")).Value);
    }

    [Fact]
    public void FollowSeesAppendedRecordsAndRotation()
    {
        var path = Path.Combine(_dir, "live.log");
        File.WriteAllText(path, Line(new DateTime(2026, 1, 1), 1, "/old") + "\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var got = new List<string?>();
        var task = Task.Run(() =>
        {
            // With Since the history is read first, so the test does not race the reader's start.
            var reader = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, Since = new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero) };
            foreach (var e in reader.Follow(path, poll: TimeSpan.FromMilliseconds(50), cancel: cts.Token))
            {
                lock (got) got.Add(e.Uri);
                if (got.Count == 3) cts.Cancel();
            }
        });
        Thread.Sleep(500);
        File.AppendAllText(path, Line(new DateTime(2026, 1, 1), 2, "/new") + "\n");
        Thread.Sleep(500);
        File.Move(path, path + ".1");
        File.WriteAllText(path, Line(new DateTime(2026, 1, 1), 3, "/rotated") + "\n");
        task.Wait(TimeSpan.FromSeconds(25));
        Assert.Equal(new[] { "/old", "/new", "/rotated" }, got);
    }
}
