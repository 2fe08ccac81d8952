using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Node.js / Express output. Node core logs nothing for keep-alive closes, timeouts or client
/// errors; what shows is Express's final handler (console.error of err.stack, no time, no pid),
/// uncaught exceptions and V8's fatal errors, plus whatever the app writes. The app's own lines
/// are not parsed for events; a pid the app announces ("pid 4100") is kept for the stack traces.
/// </summary>
public sealed partial class NodeLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^(?<name>[A-Z]\w*Error|Error)(?:\s*\[(?<code>\w+)\])?: (?<msg>.*)$")]
    private static partial Regex ErrorHead();

    [GeneratedRegex(@"^\s+at \S")]
    private static partial Regex Frame();

    [GeneratedRegex(@"\bpid[ :=]+(?<pid>\d+)")]
    private static partial Regex AnnouncedPid();

    [GeneratedRegex(@"\bnode v?(?<v>\d+\.\d+\.\d+)")]
    private static partial Regex NodeVersion();

    private int? _pid;
    private string? _version;

    public override BackendKind Backend => BackendKind.Node;

    internal static int Score(string text)
    {
        if (Frame().IsMatch(text) && (text.Contains("node_modules", StringComparison.Ordinal) || text.Contains("(node:", StringComparison.Ordinal))) return 2;
        if (text.StartsWith("PayloadTooLargeError", StringComparison.Ordinal) || text.StartsWith("BadRequestError", StringComparison.Ordinal)
            || text.StartsWith("FATAL ERROR:", StringComparison.Ordinal)) return 3;
        return 0;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        if (Open is { } o && Frame().IsMatch(text)) { o.Fold(text); return; }

        EventDraft New(BackendEventKind kind)
        {
            var d = new EventDraft(line, kind, text) { ProcessId = line.EnvelopePid ?? _pid };
            UseEnvelopeTime(d, line);
            return d;
        }

        var m = ErrorHead().Match(text);
        if (m.Success)
        {
            var name = m.Groups["name"].Value;
            var kind = name switch
            {
                "PayloadTooLargeError" => BackendEventKind.BodyRejected,
                "BadRequestError" when m.Groups["msg"].Value.StartsWith("request aborted", StringComparison.Ordinal) => BackendEventKind.ClientDisconnected,
                "URIError" or "BadRequestError" => BackendEventKind.RequestRejected,
                _ => BackendEventKind.Error,
            };
            var d = New(kind);
            if (kind == BackendEventKind.BodyRejected) d.Notes.Add("body-parser limit (default 100kb): client got 413");
            if (kind == BackendEventKind.ClientDisconnected) d.Notes.Add("peer closed during the body upload");
            Emit(d, open: true);
            return;
        }
        if (text.StartsWith("FATAL ERROR:", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.WorkerCrashed);
            if (text.Contains("heap out of memory", StringComparison.Ordinal)) d.Notes.Add("V8 heap limit (--max-old-space-size), not the kernel OOM killer");
            Emit(d, open: true);
            return;
        }
        Close();
        if (AnnouncedPid().Match(text) is { Success: true } p && text.Contains("listen", StringComparison.OrdinalIgnoreCase)) _pid = Int(p.Groups["pid"].ValueSpan);
        if (NodeVersion().Match(text) is { Success: true } v) _version = v.Groups["v"].Value;
        Skip(text.Length == 0 ? "empty line" : "application output");
    }

    protected override void Complete(EventDraft d) => d.BackendVersion ??= _version;
}
