using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// uvicorn default logging: "LEVEL:    msg" (levelprefix padded to 9), no time and no pid, ANSI
/// colours when stderr was a TTY. Under gunicorn's UvicornWorker the lines are gunicorn's instead.
/// </summary>
public sealed partial class UvicornLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^(?<lvl>TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+(?<msg>.*)$")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^(?<what>Started server process|Finished server process|Started parent process|Child process|Started reloader process) \[(?<pid>\d+)\](?<died> died)?")]
    private static partial Regex Process();

    [GeneratedRegex(@"^Maximum request limit of (?<n>\d+) exceeded")]
    private static partial Regex MaxRequests();

    [GeneratedRegex(@"^Uvicorn running on (?<url>\S+)")]
    private static partial Regex Running();

    [GeneratedRegex(@"^\S+ - ""[^""]*"" \d{3}")]
    private static partial Regex Access();

    public override BackendKind Backend => BackendKind.Uvicorn;

    internal static int Score(string text)
    {
        var m = Prefix().Match(Ansi().Replace(text, ""));
        if (!m.Success) return 0;
        var msg = m.Groups["msg"].Value;
        return Process().IsMatch(msg) || msg.StartsWith("Uvicorn running on", StringComparison.Ordinal) || msg.StartsWith("Waiting for application startup", StringComparison.Ordinal) ? 3 : 1;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = Ansi().Replace(line.Text, "");
        var m = Prefix().Match(text);
        if (!m.Success)
        {
            if (Open?.Tag is PythonTraceback tb && tb.Accepts(text)) { Open.Fold(text); return; }
            Close();
            Skip(text.Length == 0 ? "empty line" : "application output");
            return;
        }
        var msg = m.Groups["msg"].Value;
        var level = m.Groups["lvl"].Value;

        EventDraft New(BackendEventKind kind, int? pid)
        {
            var d = new EventDraft(line, kind, msg) { ProcessId = pid ?? line.EnvelopePid };
            UseEnvelopeTime(d, line);
            return d;
        }

        Match x;
        if ((x = Process().Match(msg)).Success)
        {
            var pid = Int(x.Groups["pid"].ValueSpan);
            var kind = x.Groups["what"].Value switch
            {
                "Started server process" => BackendEventKind.WorkerBooted,
                "Finished server process" => BackendEventKind.WorkerExited,
                "Child process" when x.Groups["died"].Success => BackendEventKind.WorkerExited,
                _ => BackendEventKind.ListenerStarted,
            };
            var d = New(kind, pid);
            if (kind == BackendEventKind.WorkerExited) d.Linkable = true;
            if (x.Groups["died"].Success) d.Notes.Add("died unexpectedly; the supervisor restarts it");
            Emit(d);
        }
        else if ((x = MaxRequests().Match(msg)).Success)
            Emit(New(BackendEventKind.MaxRequestsRecycle, null));
        else if ((x = Running().Match(msg)).Success)
            Emit(New(BackendEventKind.ListenerStarted, null));
        else if (msg.StartsWith("Invalid HTTP request received", StringComparison.Ordinal))
            Emit(New(BackendEventKind.RequestRejected, null));
        else if (msg.StartsWith("Exceeded concurrency limit", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.RequestRejected, null);
            d.Notes.Add("limit_concurrency: answered 503");
            Emit(d);
        }
        else if (msg.StartsWith("Shutting down", StringComparison.Ordinal))
            Emit(New(BackendEventKind.Shutdown, null));
        else if (msg.StartsWith("Exception in ASGI application", StringComparison.Ordinal) || level is "ERROR" or "CRITICAL")
        {
            var d = New(BackendEventKind.Error, null);
            d.Tag = new PythonTraceback();
            Emit(d, open: true);
        }
        else
        {
            Close();
            Skip(Access().IsMatch(msg) ? "access line" : "not an event");
        }
    }

    protected override void Complete(EventDraft d)
    {
        if (d.Tag is PythonTraceback { Exception: { } exc }) d.Notes.Add("exc=" + exc);
        d.Tag = null;
    }
}
