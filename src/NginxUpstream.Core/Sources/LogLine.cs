namespace NginxUpstream.Sources;

/// <summary>One physical line of a log with its origin.</summary>
/// <param name="Source">File path or command the line came from.</param>
/// <param name="LineNumber">1-based line number within <paramref name="Source"/>.</param>
/// <param name="Text">The line without its terminator.</param>
public readonly record struct LogLine(string Source, long LineNumber, string Text);
