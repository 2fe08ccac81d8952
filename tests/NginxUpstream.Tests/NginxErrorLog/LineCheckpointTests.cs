using System.Text;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>
/// Line-count points remembered from earlier reads must never change a line number: after
/// appends, rotation to a new file at the same path, or a rewrite that keeps the first bytes.
/// </summary>
[Collection("LineCheckpoints")] // the points are process-wide
public sealed class LineCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nu-points-").FullName;

    public void Dispose()
    {
        LineCheckpoints.Clear();
        Directory.Delete(_dir, true);
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A log of <paramref name="seconds"/> seconds, <paramref name="perSecond"/> records a second, every few with a blank line.</summary>
    private static string Log(int seconds, int perSecond, string tag, int startSecond = 0)
    {
        var sb = new StringBuilder();
        for (int s = startSecond; s < startSecond + seconds; s++)
            for (int k = 0; k < perSecond; k++)
            {
                sb.Append(T0.AddSeconds(s).ToString("yyyy/MM/dd HH:mm:ss")).Append(" [error] 7#7: *").Append(s * 100 + k)
                  .Append(" recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.0.0.1, server: ")
                  .Append(tag).Append(", request: \"GET /x HTTP/1.1\", upstream: \"http://127.0.0.1:8000/x\", host: \"h\"\n");
                if (k % 7 == 3) sb.Append('\n');
            }
        return sb.ToString();
    }

    private static NginxErrorLogReader Reader(DateTimeOffset? since = null) =>
        new() { TimeZone = TimeZoneInfo.Utc, Since = since, ParallelThreshold = 0, ChunkSize = 64 << 10, CheckpointInterval = 256 << 10 };

    /// <summary>Line numbers and lines of a -Since read of a copy of the file under a new name (no points known for it).</summary>
    private static List<(long, string?)> Fresh(string path, DateTimeOffset since)
    {
        var copy = path + "." + Guid.NewGuid().ToString("N");
        File.Copy(path, copy);
        try { return Reader(since).ReadFile(copy).Select(e => (e.LineNumber, e.Line)).ToList(); }
        finally { File.Delete(copy); }
    }

    private static List<(long, string?)> Warm(string path, DateTimeOffset since) =>
        Reader(since).ReadFile(path).Select(e => (e.LineNumber, e.Line)).ToList();

    [Fact]
    public void Since_after_a_full_read_uses_its_points_and_gets_the_same_line_numbers()
    {
        var path = Path.Combine(_dir, "error.log");
        File.WriteAllText(path, Log(600, 40, "a"));
        var since = T0.AddSeconds(590);
        var expected = Fresh(path, since);
        Assert.NotEmpty(expected);
        Assert.True(expected[0].Item1 > 20_000);
        _ = Reader().ReadFile(path).Count(); // the full read leaves points behind
        using (var fs = File.OpenRead(path))
            Assert.True(LineCheckpoints.Nearest(fs.SafeFileHandle, fs.Name, fs.Length).Offset > 0);
        Assert.Equal(expected, Warm(path, since));
        Assert.Equal(expected, Warm(path, since)); // and again, from the point the -Since count left
    }

    [Fact]
    public void Appends_keep_the_points_valid()
    {
        var path = Path.Combine(_dir, "error.log");
        File.WriteAllText(path, Log(400, 40, "a"));
        _ = Warm(path, T0.AddSeconds(390));
        File.AppendAllText(path, Log(200, 40, "a", startSecond: 400));
        var since = T0.AddSeconds(590);
        var warm = Warm(path, since);
        Assert.Equal(Fresh(path, since), warm);
    }

    [Fact]
    public void A_new_file_at_the_same_path_is_counted_again()
    {
        var path = Path.Combine(_dir, "error.log");
        File.WriteAllText(path, Log(600, 40, "a"));
        _ = Reader().ReadFile(path).Count();
        // Rotated: a different log now has that name.
        File.WriteAllText(path, Log(600, 30, "b"));
        var since = T0.AddSeconds(590);
        Assert.Equal(Fresh(path, since), Warm(path, since));
    }

    [Fact]
    public void A_rewrite_that_keeps_the_first_bytes_but_changes_lines_is_not_trusted()
    {
        var path = Path.Combine(_dir, "error.log");
        var text = Log(600, 40, "a");
        File.WriteAllText(path, text);
        _ = Reader().ReadFile(path).Count();
        // Same first 100 KB, then every blank line removed: fewer lines before every later point.
        var head = text[..(100 << 10)];
        File.WriteAllText(path, head + text[(100 << 10)..].Replace("\n\n", "\n"));
        var since = T0.AddSeconds(590);
        var expected = Fresh(path, since);
        Assert.Equal(expected, Warm(path, since));
    }
}
