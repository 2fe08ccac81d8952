using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Removes the prefix journald or syslog puts before a backend's own line
/// ("2026-06-27T15:09:33+0000 host gunicorn[2841]: ..." from journalctl -o short-iso, or
/// "Jun 27 15:09:33 host gunicorn[2841]: ..."). The short-iso time is kept as the envelope time;
/// the RFC 3164 one is not, since it has no year.
/// </summary>
public static partial class LineEnvelope
{
    [GeneratedRegex(@"^(?<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[+-]\d\d:?\d\d|Z)) \S+ [^\s\[:]+(?:\[(?<pid>\d+)\])?: (?<msg>.*)$")]
    private static partial Regex ShortIso();

    [GeneratedRegex(@"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s\[:]+(?:\[(?<pid>\d+)\])?: (?<msg>.*)$")]
    private static partial Regex Rfc3164();

    public static BackendLine Strip(LogLine line)
    {
        var t = line.Text;
        if (t.Length < 16 || t[0] is '[' or ' ' or '\t') return BackendLine.Plain(line);
        var m = ShortIso().Match(t);
        if (m.Success)
        {
            var ts = m.Groups["ts"].Value.Replace(',', '.');
            // "+0000" is not an offset .NET reads: make it "+00:00".
            if (ts.Length > 5 && ts[^5] is '+' or '-' && char.IsDigit(ts[^1])) ts = ts[..^2] + ":" + ts[^2..];
            DateTimeOffset? time = DateTimeOffset.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto) ? dto : null;
            return new BackendLine(line, m.Groups["msg"].Value, time, PidOf(m));
        }
        m = Rfc3164().Match(t);
        return m.Success ? new BackendLine(line, m.Groups["msg"].Value, null, PidOf(m)) : BackendLine.Plain(line);
    }

    private static int? PidOf(Match m) => m.Groups["pid"].Success && int.TryParse(m.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
}
