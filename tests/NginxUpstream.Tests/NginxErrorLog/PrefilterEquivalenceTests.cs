using System.Text;
using System.Text.Json;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>
/// The upstream-only prefilter (<see cref="Classifier.CanBeUpstream"/>) skips the parse of records
/// that cannot be upstream-related: the upstream-only read must give exactly the records, fields and
/// accounting of a full parse filtered afterwards.
/// </summary>
public class PrefilterEquivalenceTests
{
    [Fact]
    public void EveryPhaseThatCanMakeTheUpstreamSideHasTheWordThePrefilterLooksFor()
    {
        foreach (var e in Phases.All)
        {
            var text = Encoding.ASCII.GetString(e.Text);
            if (e.Facing == Phases.Facing.Upstream) Assert.Contains("upstream", text);
            if (e.Facing == Phases.Facing.Both) Assert.Contains("proxying", text);
            if (e.Facing is Phases.Facing.Upstream or Phases.Facing.Both) Assert.True(Classifier.CanBeUpstream(e.Text), text);
        }
    }

    /// <summary>
    /// The vectorised prefilter against its definition (six separate searches): each word planted
    /// at every position of records of every length from 0 to 120 bytes, alone, cut by one byte,
    /// with its recognising bytes present but the word wrong, and in random filler of the letters
    /// the words are made of, so near-misses abound.
    /// </summary>
    [Fact]
    public void VectorPrefilterAgreesWithTheSixSearchesAtEveryPositionAndLength()
    {
        string[] words = ["upstream", "connect()", "proxying", "FastCGI sent in stderr", "memcached sent ", "resolve"];
        var rng = new Random(20261127);
        const string letters = "upstreamconnect()proxyingFastCGIsentinstderrmemcachedresolve ,:\"";
        int checkedCount = 0, positives = 0;
        for (int len = 0; len <= 120; len++)
        {
            var filler = new byte[len];
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < len; i++) filler[i] = (byte)letters[rng.Next(letters.Length)];
                Check(filler);
                foreach (var w in words)
                {
                    var wb = Encoding.ASCII.GetBytes(w);
                    for (int pos = 0; pos <= len; pos++)
                    {
                        foreach (var variant in new[] { wb, wb[..^1], Broken(wb) })
                        {
                            if (pos + variant.Length > len) continue;
                            var rec = (byte[])filler.Clone();
                            variant.CopyTo(rec, pos);
                            Check(rec);
                        }
                    }
                }
            }
        }
        Assert.True(checkedCount > 100_000, $"only {checkedCount} records checked");
        Assert.True(positives > 10_000 && positives < checkedCount - 10_000, $"{positives} of {checkedCount} positive: the cases do not cover both answers");

        void Check(byte[] rec)
        {
            var want = Classifier.CanBeUpstreamScalar(rec);
            Assert.True(want == Classifier.CanBeUpstream(rec), $"'{Encoding.ASCII.GetString(rec)}': definition says {want}");
            checkedCount++;
            if (want) positives++;
        }

        // The word with a middle byte changed: first and recognising bytes kept, full compare must fail.
        static byte[] Broken(byte[] w)
        {
            var b = (byte[])w.Clone();
            b[2] = (byte)'#';
            return b;
        }
    }

    [Fact]
    public void CorpusUpstreamOnlyReadEqualsFullParseFiltered() =>
        AssertEquivalent(TestPaths.Corpus("nginx-error-log", "corpus.log"));

    [Fact]
    public void BenchmarkSampleUpstreamOnlyReadEqualsFullParseFiltered()
    {
        var dir = Directory.CreateTempSubdirectory("nu-prefilter-");
        try
        {
            var path = Path.Combine(dir.FullName, "bench.log");
            ErrorLogBench.Generator.Write(path, 60_000);
            var n = AssertEquivalent(path);
            Assert.True(n > 10_000, $"only {n} upstream records in the sample");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void LandscapeSamplesUpstreamOnlyEqualsFullParseFiltered()
    {
        var samples = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Shared, "reference", "landscape-oracles", "samples.json")))
            .RootElement.EnumerateArray().Select(s => s.GetProperty("line").GetString()!).ToArray();
        var full = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc };
        var up = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true };
        foreach (var line in samples)
        {
            var expected = full.ReadLines(new[] { line }).Where(e => e.IsUpstreamRelated).Select(Json).ToList();
            var actual = up.ReadLines(new[] { line }).Select(Json).ToList();
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>
    /// Without a time window the prefilter runs before the header parse, so a line with a malformed
    /// header and none of the upstream words is counted as not upstream-related; with a window (whose
    /// filter needs every header) and for a line the prefilter lets through, the header decides.
    /// </summary>
    [Fact]
    public void MalformedHeaderIsCountedAsNotUpstreamRelatedOnlyWhenThePrefilterSkipsItFirst()
    {
        string[] lines =
        [
            "2026/11/26 10:00:00 [bogus] 1#1: *1 client 10.0.0.1 closed keepalive connection",
            "2026/11/26 10:00:01 [bogus] 1#1: *2 upstream timed out (110: Connection timed out) while reading response header from upstream",
            "2026/11/26 10:00:02 [error] 1#1: *3 upstream timed out (110: Connection timed out) while reading response header from upstream",
        ];
        var noWindow = new ReadStats();
        var got = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true }.ReadLines(lines, stats: noWindow).ToList();
        Assert.Equal(3, Assert.Single(got).LineNumber);
        Assert.Equal(1, noWindow.Skipped["not upstream-related"]);
        Assert.Equal(1, noWindow.Skipped["malformed header"]);

        var window = new ReadStats();
        var since = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        got = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true, Since = since }.ReadLines(lines, stats: window).ToList();
        Assert.Equal(3, Assert.Single(got).LineNumber);
        Assert.Equal(2, window.Skipped["malformed header"]);
        Assert.False(window.Skipped.ContainsKey("not upstream-related"));
    }

    /// <summary>Same records in the same order with the same fields, and the same accounting; returns the record count.</summary>
    private static int AssertEquivalent(string path)
    {
        var full = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc };
        var up = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true };
        var fullStats = new ReadStats();
        var all = full.ReadFile(path, fullStats).ToList();
        // The proof's premise, record by record: every upstream-side record passes the prefilter.
        foreach (var e in all.Where(e => e.IsUpstreamRelated))
            Assert.True(Classifier.CanBeUpstream(Encoding.UTF8.GetBytes(e.Line)), $"{e.Source}:{e.LineNumber} would be dropped by the prefilter");
        var expected = all.Where(e => e.IsUpstreamRelated).Select(Json).ToList();
        var upStats = new ReadStats();
        var actual = up.ReadFile(path, upStats).Select(Json).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(fullStats.LinesRead, upStats.LinesRead);
        Assert.Equal(fullStats.BytesRead, upStats.BytesRead);
        Assert.Equal(up.Count(path), expected.Count);
        return expected.Count;
    }

    private static string Json(UpstreamError e) => JsonSerializer.Serialize(e);
}
