using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// One line handed to a backend parser: the physical line, its text with any journald/syslog
/// envelope removed, and what the envelope said (time, writer pid). A parser uses the envelope
/// time only when the text itself carries no stamp.
/// </summary>
public readonly record struct BackendLine(LogLine Line, string Text, DateTimeOffset? EnvelopeTime = null, int? EnvelopePid = null)
{
    public static BackendLine Plain(LogLine line) => new(line, line.Text);
}
