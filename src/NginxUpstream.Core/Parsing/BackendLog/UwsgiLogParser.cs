using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// uWSGI log (2.0.x and master). Most lines carry no time and no pid; uwsgi_log_verbose lines (and
/// every line with --log-date) start with ctime "Sat Jun 27 15:07:45 2026 - " in local time,
/// single-digit days padded with a space. Request lines "[pid: N|app: ...]" carry the request's
/// start time, which is not the time of the line, so it is never used as one.
/// </summary>
public sealed partial class UwsgiLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^(?<ts>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}) - (?<msg>.*)$")]
    private static partial Regex CtimePrefix();

    [GeneratedRegex(@"^spawned uWSGI master process \(pid: (?<pid>\d+)\)")]
    private static partial Regex SpawnedMaster();

    [GeneratedRegex(@"^spawned uWSGI worker (?<n>\d+) \(pid: (?<pid>\d+), cores: \d+\)")]
    private static partial Regex SpawnedWorker();

    [GeneratedRegex(@"^Respawned uWSGI worker (?<n>\d+) \(new pid: (?<pid>\d+)\)")]
    private static partial Regex Respawned();

    [GeneratedRegex(@"^\*\*\* HARAKIRI ON WORKER (?<n>\d+) \(pid: (?<pid>\d+), try: (?<try>\d+)(?:, graceful: (?<g>yes|no))?\) \*\*\*")]
    private static partial Regex Harakiri();

    [GeneratedRegex(@"^\*\*\* HARAKIRI ON (?<what>GATEWAY|MULE|THE SPOOLER|CRON)\b.*?\(pid: (?<pid>\d+)\)")]
    private static partial Regex HarakiriOther();

    [GeneratedRegex(@"^HARAKIRI \[core \d+\] (?<client>\S+) - (?<method>\S+) (?<uri>\S+) since (?<since>\d+)")]
    private static partial Regex HarakiriCore();

    [GeneratedRegex(@"^DAMN ! worker (?<n>\d+) \(pid: (?<pid>\d+)\) (?:died, killed by signal (?<sig>\d+)|(?<odd>MISTERIOUSLY|MYSTERIOUSLY) killed by signal (?<sig>\d+)|died(?<code>, exit code: \d+)?)")]
    private static partial Regex Damn();

    [GeneratedRegex(@"^worker (?<n>\d+) killed successfully \(pid: (?<pid>\d+)\)")]
    private static partial Regex KilledSuccessfully();

    [GeneratedRegex(@"^\.\.\.The work of process (?<pid>\d+) is done(?: \((?<why>[^)]*\)?)\))?\. Seeya!")]
    private static partial Regex WorkDone();

    [GeneratedRegex(@"^worker (?<n>\d+) lifetime reached, it was running for (?<s>\d+) second")]
    private static partial Regex Lifetime();

    [GeneratedRegex(@"^invalid request block size: (?<size>\d+) \(max (?<max>\d+)\)")]
    private static partial Regex BlockSize();

    [GeneratedRegex(@"^\*\*\* uWSGI listen queue of socket ""(?<sock>[^""]*)"" \(fd: \d+\) full !!! \((?<n>\d+)/(?<max>\d+)\) \*\*\*")]
    private static partial Regex ListenQueue();

    [GeneratedRegex(@"^(?<fn>uwsgi_\w+)\(\): (?<err>[^\[]+?) \[[^\]]+\] during (?<method>\S+) (?<uri>\S+) \((?<client>[^)]*)\)")]
    private static partial Regex ReqError();

    [GeneratedRegex(@"^SIGPIPE: writing to a closed pipe/socket/fd \(probably the client disconnected\) on request (?<uri>\S+) \(ip (?<client>[^)]*)\)")]
    private static partial Regex SigPipe();

    [GeneratedRegex(@"^\[pid: (?<pid>\d+)\|app: ")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^\*\*\* Starting uWSGI (?<v>\S+)")]
    private static partial Regex StartingBanner();

    private int? _master;
    private string? _version;

    public override BackendKind Backend => BackendKind.Uwsgi;

    internal static int Score(string text)
    {
        var msg = CtimePrefix().Match(text) is { Success: true } m ? m.Groups["msg"].Value : text;
        if (msg.StartsWith("*** Starting uWSGI", StringComparison.Ordinal) || msg.StartsWith("spawned uWSGI", StringComparison.Ordinal)
            || msg.StartsWith("Respawned uWSGI", StringComparison.Ordinal) || msg.StartsWith("DAMN ! worker", StringComparison.Ordinal)
            || msg.StartsWith("*** HARAKIRI", StringComparison.Ordinal) || RequestLine().IsMatch(msg))
            return 3;
        return msg.StartsWith("*** Operational MODE", StringComparison.Ordinal) || msg.StartsWith("uwsgi socket ", StringComparison.Ordinal) ? 2 : 0;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        var msg = text;
        DateTime? local = null;
        var cm = CtimePrefix().Match(text);
        if (cm.Success && TryCtime(cm.Groups["ts"].Value, out var t)) { local = t; msg = cm.Groups["msg"].Value; }

        EventDraft New(BackendEventKind kind, int? pid)
        {
            var d = new EventDraft(line, kind, msg) { ProcessId = pid };
            if (local is { } l) SetLocalTime(d, l);
            else UseEnvelopeTime(d, line);
            return d;
        }

        // Continuations of the open event first: HARAKIRI dumps, the error after a broken pipe.
        if (Open is { Kind: BackendEventKind.Harakiri } h && msg.StartsWith("HARAKIRI ", StringComparison.Ordinal))
        {
            h.Fold(text);
            var core = HarakiriCore().Match(msg);
            if (core.Success && h.Request is null)
            {
                h.Request = core.Groups["method"].Value + " " + core.Groups["uri"].Value;
                var since = DateTimeOffset.FromUnixTimeSeconds(long.Parse(core.Groups["since"].Value, CultureInfo.InvariantCulture));
                h.Notes.Add($"request from {core.Groups["client"].Value} started {since:yyyy-MM-ddTHH:mm:ssZ}");
            }
            return;
        }
        if (Open is { Kind: BackendEventKind.ClientDisconnected } c)
        {
            var rl = RequestLine().Match(msg);
            if (rl.Success)
            {
                // The request log line after the error names the worker that served it.
                c.ProcessId ??= Int(rl.Groups["pid"].ValueSpan);
                c.Fold(text);
                Close();
                return;
            }
            if (msg.EndsWith("write error", StringComparison.Ordinal) || msg.StartsWith("OSError", StringComparison.Ordinal) || msg.StartsWith("IOError", StringComparison.Ordinal))
            {
                c.Fold(text);
                return;
            }
        }

        Match x;
        if ((x = Harakiri().Match(msg)).Success)
        {
            var d = New(BackendEventKind.Harakiri, Int(x.Groups["pid"].ValueSpan));
            d.WorkerId = Int(x.Groups["n"].ValueSpan);
            d.WriterProcessId = _master;
            d.Notes.Add($"try {x.Groups["try"].Value}" + (x.Groups["g"].Success ? $", graceful: {x.Groups["g"].Value}" : ""));
            Emit(d, open: true);
        }
        else if ((x = HarakiriOther().Match(msg)).Success)
            Emit(New(BackendEventKind.Harakiri, Int(x.Groups["pid"].ValueSpan)), open: true);
        else if ((x = Damn().Match(msg)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            d.WorkerId = Int(x.Groups["n"].ValueSpan);
            d.WriterProcessId = _master;
            d.Linkable = true;
            if (x.Groups["sig"].Success)
            {
                var num = Int(x.Groups["sig"].ValueSpan);
                d.SetSignal(num);
                d.Kind = Signals.DeathKind(num);
                if (num == 9)
                {
                    d.NoteIfLinked = "SIGKILL from harakiri, not an OOM kill";
                    d.NoteIfNotLinked = "no HARAKIRI line before it: an external SIGKILL (OOM killer, operator)";
                }
            }
            Emit(d);
        }
        else if ((x = SpawnedWorker().Match(msg)).Success || (x = Respawned().Match(msg)).Success)
        {
            var d = New(BackendEventKind.WorkerBooted, Int(x.Groups["pid"].ValueSpan));
            d.WorkerId = Int(x.Groups["n"].ValueSpan);
            Emit(d);
        }
        else if ((x = KilledSuccessfully().Match(msg)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            d.WorkerId = Int(x.Groups["n"].ValueSpan);
            d.Notes.Add("planned: max-requests, reload-on-rss, lifetime or reload");
            Emit(d);
        }
        else if ((x = WorkDone().Match(msg)).Success)
        {
            var d = New(BackendEventKind.MaxRequestsRecycle, Int(x.Groups["pid"].ValueSpan));
            d.WriterProcessId = d.ProcessId;
            if (x.Groups["why"].Success) d.Notes.Add(x.Groups["why"].Value);
            Emit(d);
        }
        else if ((x = Lifetime().Match(msg)).Success)
        {
            var d = New(BackendEventKind.MaxRequestsRecycle, null);
            d.WorkerId = Int(x.Groups["n"].ValueSpan);
            d.Notes.Add("max-worker-lifetime reached");
            Emit(d);
        }
        else if ((x = SpawnedMaster().Match(msg)).Success)
        {
            _master = Int(x.Groups["pid"].ValueSpan);
            Emit(New(BackendEventKind.ListenerStarted, _master));
        }
        else if ((x = BlockSize().Match(msg)).Success)
        {
            var d = New(BackendEventKind.RequestRejected, null);
            d.Notes.Add($"request vars/headers of {x.Groups["size"].Value} bytes over buffer-size {x.Groups["max"].Value}; closed unread, so nginx gets a 104 reset");
            Emit(d);
        }
        else if (msg.StartsWith("Invalid (too big) CONTENT_LENGTH", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.BodyRejected, null);
            d.Notes.Add("limit-post exceeded");
            Emit(d);
        }
        else if ((x = ListenQueue().Match(msg)).Success)
        {
            var d = New(BackendEventKind.QueueFull, _master);
            d.Notes.Add($"listen backlog {x.Groups["n"].Value}/{x.Groups["max"].Value} on {x.Groups["sock"].Value}");
            Emit(d);
        }
        else if ((x = ReqError().Match(msg)).Success)
        {
            var d = New(BackendEventKind.ClientDisconnected, null);
            d.Request = x.Groups["method"].Value + " " + x.Groups["uri"].Value;
            d.Notes.Add($"{x.Groups["err"].Value.Trim()} in {x.Groups["fn"].Value}, client {x.Groups["client"].Value}");
            Emit(d, open: true);
        }
        else if ((x = SigPipe().Match(msg)).Success)
        {
            var d = New(BackendEventKind.ClientDisconnected, null);
            d.Request = x.Groups["uri"].Value;
            Emit(d, open: true);
        }
        else if (msg.StartsWith("[uwsgi-body-read]", StringComparison.Ordinal))
            Emit(New(BackendEventKind.ClientDisconnected, null), open: true);
        else if (msg.StartsWith("SIGINT/SIGTERM received", StringComparison.Ordinal) || msg.StartsWith("SIGINT/SIGQUIT received", StringComparison.Ordinal)
                 || msg.StartsWith("goodbye to uWSGI", StringComparison.Ordinal))
        {
            if (Open is { Kind: BackendEventKind.Shutdown } o) { o.Fold(text); return; }
            Emit(New(BackendEventKind.Shutdown, _master), open: true);
        }
        else if (msg.StartsWith("...gracefully killing workers", StringComparison.Ordinal) || msg.StartsWith("binary reloading uWSGI", StringComparison.Ordinal)
                 || msg.StartsWith("...brutally killing workers", StringComparison.Ordinal))
        {
            if (Open is { Kind: BackendEventKind.MasterReload or BackendEventKind.Shutdown } o) { o.Fold(text); return; }
            Emit(New(BackendEventKind.MasterReload, _master), open: true);
        }
        else
        {
            if ((x = StartingBanner().Match(msg)).Success) _version = x.Groups["v"].Value;
            if (RequestLine().IsMatch(msg)) Skip("request line");
            else Skip(text.Length == 0 ? "empty line" : "not an event");
            Close();
        }
    }

    /// <summary>ctime with the day padded by a space ("Sat Jun  6 15:09:33 2026").</summary>
    private static bool TryCtime(string s, out DateTime t)
    {
        var collapsed = Regex.Replace(s, " +", " ");
        return DateTime.TryParseExact(collapsed, "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out t);
    }

    protected override void Complete(EventDraft d)
    {
        d.MasterProcessId ??= _master;
        d.BackendVersion ??= _version;
    }
}
