namespace NginxUpstream.Model;

/// <summary>
/// Base of every record parsed from a log: where it came from, so each piece of evidence can be
/// cited as Source:LineNumber, and the raw text it was read from.
/// </summary>
public abstract class LogRecord
{
    /// <summary>File path or command the record was read from.</summary>
    public string? Source { get; init; }

    /// <summary>1-based physical line number of the record's first line in <see cref="Source"/>; 0 when unknown.</summary>
    public long LineNumber { get; init; }

    private string? _line;

    /// <summary>The raw text of the record (joined with \n when it spans several physical lines).</summary>
    public string? Line { get => _line ?? LazyLine(); init => _line = value; }

    /// <summary>A record that keeps its raw bytes decodes its line on first use (see <see cref="UpstreamError"/>).</summary>
    private protected virtual string? LazyLine() => null;

    /// <summary>"source:line", the citation used in evidence lists.</summary>
    public string Origin => LineNumber > 0 ? $"{Source}:{LineNumber}" : (Source ?? "");
}
