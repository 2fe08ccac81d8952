using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// The kernel-log engine's entry points: OOM kills (<see cref="OomKill"/>) and process crashes
/// (<see cref="ProcessCrash"/>) from a file, a stream, lines of text, or this host's default
/// sources (<see cref="HostKernelLog"/>). The format is detected per source. Records come out
/// lazily, in source order; use OfType&lt;OomKill&gt;() / OfType&lt;ProcessCrash&gt;() to pick.
/// </summary>
public static class KernelLog
{
    /// <summary>
    /// Events of a log file (gzip detected by magic). The year of year-less stamps is inferred
    /// against the file's last write time unless <see cref="KernelLogOptions.ReferenceDate"/> is set.
    /// Throws <see cref="LogReadException"/> (after yielding what was readable) on a corrupt gzip.
    /// </summary>
    public static IEnumerable<LogRecord> ParseFile(string path, KernelLogOptions? options = null, ReadStats? stats = null, CancellationToken cancel = default)
    {
        options ??= new KernelLogOptions();
        if (options.ReferenceDate is null && File.Exists(path))
            options = options.With(referenceDate: new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
        return Parse(LogFileReader.ReadLines(path, stats, cancel), path, options, stats);
    }

    /// <summary>Events of a stream of log text named <paramref name="source"/>.</summary>
    public static IEnumerable<LogRecord> ParseStream(Stream stream, string source, KernelLogOptions? options = null, ReadStats? stats = null, CancellationToken cancel = default) =>
        Parse(LogFileReader.ReadLines(stream, source, stats, cancel), source, options, stats);

    /// <summary>Events of lines of text (each string may hold several lines).</summary>
    public static IEnumerable<LogRecord> ParseLines(IEnumerable<string> lines, string source = "<text>", KernelLogOptions? options = null, ReadStats? stats = null) =>
        Parse(CountLines(LogFileReader.FromText(lines, source), stats), source, options, stats);

    /// <summary>Events of numbered lines of one source.</summary>
    public static IEnumerable<LogRecord> Parse(IEnumerable<LogLine> lines, string source, KernelLogOptions? options = null, ReadStats? stats = null)
    {
        var parser = new KernelEventParser(source, options, stats);
        var output = new List<LogRecord>();
        foreach (var l in lines)
        {
            parser.Push(l.Text, l.LineNumber, output);
            if (output.Count == 0) continue;
            foreach (var r in output) yield return r;
            output.Clear();
        }
        parser.Complete(output);
        foreach (var r in output) yield return r;
    }

    private static IEnumerable<LogLine> CountLines(IEnumerable<LogLine> lines, ReadStats? stats)
    {
        foreach (var l in lines)
        {
            if (stats is not null) { stats.LinesRead++; stats.BytesRead += l.Text.Length + 1; }
            yield return l;
        }
    }
}
