using System.Runtime.ExceptionServices;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// The backend-log engine's entry points (used by Get-BackendEvent and Find-ResetCause): parse a
/// file (gzip by magic), a stream, text lines or a journald unit, with the format forced by
/// <see cref="BackendLogOptions.Backend"/> or detected per source from its first lines.
/// Enumeration is lazy; a source whose format is not recognised throws
/// <see cref="BackendFormatException"/> before yielding anything.
/// </summary>
public static class BackendLogReader
{
    /// <summary>Events of one log file (plain or gzip).</summary>
    public static IEnumerable<BackendEvent> ReadFile(string path, BackendLogOptions? options = null, ReadStats? stats = null, CancellationToken cancel = default)
        => Parse(LogFileReader.ReadLines(path, stats, cancel), path, options, stats, cancel);

    /// <summary>Events of a stream (gzip is not detected here; wrap it first).</summary>
    public static IEnumerable<BackendEvent> ReadStream(Stream stream, string source, BackendLogOptions? options = null, ReadStats? stats = null, CancellationToken cancel = default)
        => Parse(LogFileReader.ReadLines(stream, source, stats, cancel), source, options, stats, cancel);

    /// <summary>Events of text lines (a chunk may hold several lines), numbered from 1.</summary>
    public static IEnumerable<BackendEvent> ReadText(IEnumerable<string> lines, string source = "<text>", BackendLogOptions? options = null, ReadStats? stats = null, CancellationToken cancel = default)
        => Parse(CountLines(LogFileReader.FromText(lines, source), stats), source, options, stats, cancel);

    /// <summary>Events of a systemd unit's journal in a time range (journalctl -u UNIT -o json).</summary>
    public static IEnumerable<BackendEvent> ReadJournalUnit(string unit, BackendLogOptions? options = null, DateTimeOffset? since = null, DateTimeOffset? until = null,
        ReadStats? stats = null, CancellationToken cancel = default, BackendKind? hint = null)
        => Parse(JournalReader.ReadUnit(unit, since, until, stats, cancel), "journalctl -u " + unit, options, stats, cancel, hint);

    /// <summary>Events of a discovered source: every member of a rotated set oldest first, or a journal unit.</summary>
    public static IEnumerable<BackendEvent> Read(BackendLogSource source, BackendLogOptions? options = null, DateTimeOffset? since = null, DateTimeOffset? until = null,
        ReadStats? stats = null, CancellationToken cancel = default)
    {
        if (source.IsJournalUnit) return ReadJournalUnit(source.Name, options, since, until, stats, cancel, source.Hint);
        return Parse(LogFileReader.ReadLines(source.Name, stats, cancel), source.Name, options, stats, cancel, source.Hint);
    }

    /// <summary>Events of physical lines: journald/syslog envelopes are stripped, the format detected unless forced.</summary>
    public static IEnumerable<BackendEvent> Parse(IEnumerable<LogLine> lines, string source, BackendLogOptions? options = null, ReadStats? stats = null,
        CancellationToken cancel = default, BackendKind? hint = null)
        => Parse(lines.Select(LineEnvelope.Strip), source, options, stats, cancel, hint);

    /// <summary>Events of prepared lines (envelope already known, as from the journal).</summary>
    public static IEnumerable<BackendEvent> Parse(IEnumerable<BackendLine> lines, string source, BackendLogOptions? options = null, ReadStats? stats = null,
        CancellationToken cancel = default, BackendKind? hint = null)
    {
        options ??= BackendLogOptions.Default;
        stats ??= new ReadStats();
        using var e = lines.GetEnumerator();
        var sample = new List<BackendLine>();
        ExceptionDispatchInfo? broken = null;
        var kind = options.Backend is { } forced && forced != BackendKind.Unknown ? forced : BackendKind.Unknown;
        if (kind == BackendKind.Unknown)
        {
            try
            {
                while (sample.Count < options.DetectionLines && e.MoveNext())
                {
                    sample.Add(e.Current);
                    // Stop sampling as soon as one format is certain.
                    if (sample.Count % 20 == 0 && BackendLogDetector.Detect(sample.Select(s => s.Text), out var score) != BackendKind.Unknown
                        && score >= BackendLogDetector.Confident) break;
                }
            }
            catch (IOException ex) when (sample.Count > 0)
            {
                // A read that breaks early (corrupt gzip): keep the events of the lines read, then report the break.
                broken = ExceptionDispatchInfo.Capture(ex);
            }
            if (sample.Count == 0) yield break;
            kind = BackendLogDetector.Detect(sample.Select(s => s.Text), out _);
            if (kind == BackendKind.Unknown) kind = hint ?? BackendKind.Unknown;
            if (kind == BackendKind.Unknown)
            {
                stats.Skip("format not recognised", sample.Count);
                throw new BackendFormatException(source, sample.Count);
            }
        }
        var parser = BackendLogDetector.CreateParser(kind, options, stats);
        foreach (var ev in parser.Parse(broken is null ? Concat(sample, e) : sample, cancel)) yield return ev;
        broken?.Throw();
    }

    private static IEnumerable<BackendLine> Concat(List<BackendLine> head, IEnumerator<BackendLine> rest)
    {
        foreach (var l in head) yield return l;
        while (rest.MoveNext()) yield return rest.Current;
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
