using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Tomcat catalina.out (JULI OneLineFormatter): "dd-MMM-yyyy HH:mm:ss.SSS LEVEL [thread] class.method msg",
/// JVM-zone local time without offset, level names possibly localised. A record continues on lines
/// that start with a tab (stack frames) or a space (the "Note:" line).
/// </summary>
public sealed partial class TomcatLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^(?<ts>\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\.\d{3}) (?<lvl>\S+) \[(?<thread>[^\]]*)\] (?<src>\S+) (?<msg>.*)$")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^Thread \[(?<thread>[^\]]+)\] \(id=\[\d+\]\) has been active for \[(?<ms>[\d,.]+)\] milliseconds .*? request for \[(?<uri>[^\]]*)\]")]
    private static partial Regex Stuck();

    [GeneratedRegex(@"^Server version name:\s+Apache Tomcat/(?<v>\S+)")]
    private static partial Regex Version();

    private string? _version;

    public override BackendKind Backend => BackendKind.Tomcat;

    internal static int Score(string text) => Prefix().Match(text) is { Success: true } m
        ? (m.Groups["src"].Value.StartsWith("org.apache.", StringComparison.Ordinal) ? 3 : 1)
        : 0;

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        var m = Prefix().Match(text);
        if (!m.Success)
        {
            if (Open is { } o && text.Length > 0 && text[0] is '\t' or ' ')
            {
                o.Fold(text);
                var t = text.Trim();
                if (o.Tag is null && !t.StartsWith("at ", StringComparison.Ordinal)
                    && (t.Contains("Exception", StringComparison.Ordinal) || t.Contains("Error", StringComparison.Ordinal)))
                {
                    // The first exception line says what went wrong.
                    o.Tag = t;
                    o.Notes.Add(t);
                }
                return;
            }
            Close();
            Skip(text.Length == 0 ? "empty line" : "not a catalina line");
            return;
        }
        var msg = m.Groups["msg"].Value;
        var local = DateTime.ParseExact(m.Groups["ts"].Value, "dd-MMM-yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);

        EventDraft New(BackendEventKind kind)
        {
            var d = new EventDraft(line, kind, msg);
            SetLocalTime(d, local);
            d.Notes.Add("thread " + m.Groups["thread"].Value);
            return d;
        }

        Match x;
        if ((x = Version().Match(msg)).Success) { _version = x.Groups["v"].Value; Close(); Skip("lifecycle line"); }
        else if (msg.StartsWith("Server startup in", StringComparison.Ordinal))
            Emit(New(BackendEventKind.ListenerStarted));
        else if (msg.StartsWith("Error parsing HTTP request header", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.RequestRejected);
            d.Notes.Add("logged once at INFO, later occurrences only at DEBUG");
            Emit(d, open: true);
        }
        else if (msg.StartsWith("Servlet.service() for servlet", StringComparison.Ordinal))
            Emit(New(BackendEventKind.Error), open: true);
        else if ((x = Stuck().Match(msg)).Success)
        {
            var d = New(BackendEventKind.SlowRequest);
            d.Request = x.Groups["uri"].Value;
            d.Notes.Add($"active for {x.Groups["ms"].Value} ms");
            Emit(d);
        }
        else if (msg.StartsWith("Stopping service [", StringComparison.Ordinal))
            Emit(New(BackendEventKind.Shutdown));
        else if (msg.Contains("OutOfMemoryError", StringComparison.Ordinal) || m.Groups["lvl"].Value is "SEVERE")
            Emit(New(BackendEventKind.Error), open: true);
        else
        {
            Close();
            Skip("not an event");
        }
    }

    protected override void Complete(EventDraft d)
    {
        d.BackendVersion ??= _version;
        d.Tag = null;
    }
}
