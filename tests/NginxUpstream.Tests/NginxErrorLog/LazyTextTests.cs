using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>With TextDecoding.OnFirstUse records keep their bytes and decode text on first use: same values, from any thread, once, as when decoded while reading.</summary>
public class LazyTextTests
{
    private const string Line =
        "2026/11/26 10:00:00 [error] 12#12: *7 recv() failed (104: Connection reset by peer) while reading response header from upstream, " +
        "client: 10.0.0.1, server: api.example.com, request: \"POST /orders?id=1 HTTP/1.1\", upstream: \"http://127.0.0.1:8000/orders?id=1\", host: \"api.example.com\", referrer: \"https://x/, host: \\\"y\\\"\"";

    private static UpstreamError Read(TextDecoding decoding = TextDecoding.OnFirstUse) =>
        new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, TextDecoding = decoding }.ReadLines(new[] { Line }).Single();

    [Fact]
    public void Text_read_from_many_threads_at_once_is_the_same_everywhere()
    {
        for (int round = 0; round < 50; round++)
        {
            var e = Read();
            var seen = new (string?, string?, string?, string?)[8];
            using var go = new Barrier(seen.Length);
            Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = seen.Length }, i =>
            {
                go.SignalAndWait();
                seen[i] = (e.Line, e.Upstream, e.Referrer, e.Client);
            });
            Assert.All(seen, s => Assert.Equal((Line, "http://127.0.0.1:8000/orders?id=1", "https://x/, host: \\\"y\\\"", "10.0.0.1"), s));
            // Decoded once: later reads return the very same string instances.
            Assert.Same(e.Line, e.Line);
            Assert.Same(e.Uri, e.Uri);
        }
    }

    [Fact]
    public void Scalars_are_there_before_any_text_is_read()
    {
        var e = Read();
        Assert.Equal(UpstreamErrorKind.Reset, e.Kind);
        Assert.Equal(104, e.Errno);
        Assert.Equal(UpstreamPhase.ReadingResponseHeaderFromUpstream, e.Phase);
        Assert.Equal(8000, e.UpstreamPort);
        Assert.Equal(7L, e.ConnectionId);
        Assert.Equal("recv() failed", e.Message);
        Assert.Equal("POST", e.Method);
        Assert.Equal("/orders?id=1", e.Uri);
    }

    [Fact]
    public void Decoded_on_first_use_or_while_reading_the_records_are_the_same()
    {
        var path = TestPaths.Corpus("nginx-error-log", "corpus.log");
        string Json(UpstreamError e) => System.Text.Json.JsonSerializer.Serialize(e);
        foreach (var parallel in new[] { 1, 4 })
        {
            NginxErrorLogReader R(TextDecoding d) => new() { TimeZone = TimeZoneInfo.Utc, TextDecoding = d, MaxParallelism = parallel, ParallelThreshold = 0, ChunkSize = 16 << 10 };
            var now = R(TextDecoding.WhileReading).ReadFile(path).Select(Json).ToList();
            var later = R(TextDecoding.OnFirstUse).ReadFile(path).Select(Json).ToList();
            Assert.Equal(124, now.Count);
            Assert.Equal(now, later);
        }
        Assert.Equal(TextDecoding.WhileReading, new NginxErrorLogReader().TextDecoding);
    }

    [Fact]
    public void Records_made_with_an_initializer_keep_what_was_set()
    {
        var e = new UpstreamError { Line = "x", Message = "m", Client = "c", Kind = UpstreamErrorKind.Refused };
        Assert.Equal(("x", "m", "c", (string?)null), (e.Line, e.Message, e.Client, e.Upstream));
        Assert.Equal("", new UpstreamError().Message);
        Assert.Null(new UpstreamError().Line);
    }
}
