using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// gunicorn error log (19.0 to 26.x): "[YYYY-mm-dd HH:MM:SS +zzzz] [pid] [LEVEL] msg" (19.2+),
/// "YYYY-mm-dd HH:MM:SS [pid] [LEVEL] msg" (19.0-19.1) or syslog "[pid] msg". The bracketed pid
/// is the writer: the master writes WORKER TIMEOUT / was sent / exited with code, the worker its
/// own boot, exit and errors; the subject pid comes from the message.
/// </summary>
public sealed partial class GunicornLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^\[(?<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?<z>[+-]\d{4})\] \[(?<pid>\d+)\] \[(?<lvl>[A-Z]+)\] (?<msg>.*)$")]
    private static partial Regex ZonedPrefix();

    [GeneratedRegex(@"^(?<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \[(?<pid>\d+)\] \[(?<lvl>[A-Z]+)\] (?<msg>.*)$")]
    private static partial Regex OldPrefix();

    [GeneratedRegex(@"^\[(?<pid>\d+)\] (?:\[(?<lvl>[A-Z]+)\] )?(?<msg>.*)$")]
    private static partial Regex SyslogPrefix();

    [GeneratedRegex(@"^WORKER TIMEOUT \(pid:(?<pid>\d+)\)")]
    private static partial Regex WorkerTimeout();

    [GeneratedRegex(@"^Worker \(pid:(?<pid>\d+)\) was sent (?:(?<name>SIG[A-Z0-9]+)|code (?<code>\d+)|signal (?<num>\d+))!(?<oom> Perhaps out of memory\?)?")]
    private static partial Regex WasSent();

    [GeneratedRegex(@"^Worker with pid (?<pid>\d+) was terminated due to signal (?<num>\d+)")]
    private static partial Regex Terminated();

    [GeneratedRegex(@"^Worker \(pid:(?<pid>\d+)\) exited with code (?<code>-?\d+)\.?$")]
    private static partial Regex ExitedWithCode();

    [GeneratedRegex(@"^Booting worker with pid: (?<pid>\d+)")]
    private static partial Regex Booting();

    [GeneratedRegex(@"^Worker exiting \(pid: (?<pid>\d+)\)")]
    private static partial Regex Exiting();

    [GeneratedRegex(@"^Error handling request(?: (?<req>.*))?$")]
    private static partial Regex ErrorHandling();

    [GeneratedRegex(@"^Invalid request from ip=(?<ip>[^:]+): (?<err>.*)$")]
    private static partial Regex InvalidRequest();

    [GeneratedRegex(@"^Starting gunicorn (?<v>\S+)")]
    private static partial Regex Starting();

    [GeneratedRegex(@"^Listening at: (?<url>\S+) \((?<pid>\d+)\)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^Using worker: (?<w>\S+)")]
    private static partial Regex UsingWorker();

    [GeneratedRegex(@"^Handling signal: (?<sig>\w+)")]
    private static partial Regex HandlingSignal();

    private int? _master;
    private string? _version;
    private string? _workerClass;
    private (string Text, long LineNumber)? _stray;

    public override BackendKind Backend => BackendKind.Gunicorn;

    /// <summary>Detection: 3 for a gunicorn-only message, 1 for the prefix alone.</summary>
    internal static int Score(string text)
    {
        var m = ZonedPrefix().Match(text);
        if (!m.Success) m = OldPrefix().Match(text);
        if (!m.Success) return 0;
        var msg = m.Groups["msg"].Value;
        return msg.StartsWith("Booting worker with pid", StringComparison.Ordinal) || msg.StartsWith("Starting gunicorn", StringComparison.Ordinal)
            || msg.StartsWith("WORKER TIMEOUT", StringComparison.Ordinal) || msg.StartsWith("Worker exiting", StringComparison.Ordinal)
            || msg.StartsWith("Worker (pid:", StringComparison.Ordinal) ? 3 : 1;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        DateTimeOffset? time = null;
        var zoneAssumed = false;
        int writer;
        string level, msg;
        var m = ZonedPrefix().Match(text);
        if (m.Success)
        {
            var local = DateTime.ParseExact(m.Groups["ts"].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var z = m.Groups["z"].Value;
            var off = new TimeSpan(Int(z.AsSpan(1, 2)), Int(z.AsSpan(3, 2)), 0);
            time = new DateTimeOffset(local, z[0] == '-' ? -off : off);
        }
        else if ((m = OldPrefix().Match(text)).Success)
        {
            time = Time.TimeZones.ToOffset(DateTime.ParseExact(m.Groups["ts"].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Options.Zone);
            zoneAssumed = true;
        }
        else if (Open?.Tag is PythonTraceback tb && tb.Accepts(text))
        {
            Open.Fold(text);
            return;
        }
        else if (!(m = SyslogPrefix().Match(text)).Success)
        {
            // syslog format "[pid] msg" has no time; the envelope (journald) may give one. Anything else is the app's.
            Close();
            if (text.Length > 0) _stray = (text, line.Line.LineNumber);
            Skip(text.Length == 0 ? "empty line" : "application output");
            return;
        }
        writer = Int(m.Groups["pid"].ValueSpan);
        level = m.Groups["lvl"].Success ? m.Groups["lvl"].Value : "";
        msg = m.Groups["msg"].Value;

        EventDraft New(BackendEventKind kind, int? pid)
        {
            var d = new EventDraft(line, kind, msg) { Time = time, ZoneAssumed = zoneAssumed, WriterProcessId = writer, ProcessId = pid };
            UseEnvelopeTime(d, line);
            return d;
        }

        Match x;
        if ((x = WorkerTimeout().Match(msg)).Success)
        {
            _master = writer;
            var d = New(BackendEventKind.WorkerTimeout, Int(x.Groups["pid"].ValueSpan));
            d.MasterProcessId = writer;
            d.Notes.Add($"master {writer} sends SIGABRT, then SIGKILL on its next loop (~1 s) if the worker is still stuck");
            d.Notes.Add(TimeoutOutcome());
            Emit(d);
        }
        else if ((x = WasSent().Match(msg)).Success)
        {
            _master = writer;
            var d = New(BackendEventKind.WorkerKilled, Int(x.Groups["pid"].ValueSpan));
            d.MasterProcessId = writer;
            int num;
            if (x.Groups["code"].Success)
            {
                // 21.x-23.x print the raw waitpid status when it is no valid signal number: 134 = SIGABRT + core bit.
                var status = Int(x.Groups["code"].ValueSpan);
                num = status & 0x7f;
                d.CoreDumped = (status & 0x80) != 0;
                d.Notes.Add($"raw wait status {status} = {Signals.Name(num)}({num}){(d.CoreDumped ? " + core dumped" : "")}");
            }
            else num = x.Groups["name"].Success ? Signals.Number(x.Groups["name"].Value) ?? 0 : Int(x.Groups["num"].ValueSpan);
            DeathBySignal(d, num);
            if (num == 15)
            {
                // 24+ log the master's own SIGTERM (reload, TTOU, shutdown) at INFO: a graceful stop, the request finishes.
                d.Kind = BackendEventKind.WorkerExited;
                d.Notes.Add("SIGTERM: graceful stop by the master (HUP reload, TTOU, shutdown) or an operator");
            }
            Emit(d);
        }
        else if ((x = Terminated().Match(msg)).Success)
        {
            _master = writer;
            var d = New(BackendEventKind.WorkerKilled, Int(x.Groups["pid"].ValueSpan));
            d.MasterProcessId = writer;
            DeathBySignal(d, Int(x.Groups["num"].ValueSpan));
            Emit(d);
        }
        else if ((x = ExitedWithCode().Match(msg)).Success)
        {
            _master = writer;
            var pid = Int(x.Groups["pid"].ValueSpan);
            var code = Int(x.Groups["code"].ValueSpan);
            // 21.x-23.x log the exit twice ("... code 1" and "... code 1."): one event.
            if (Open is { Kind: BackendEventKind.WorkerExited } o && o.ProcessId == pid && o.ExitCode == code) { o.Fold(text); return; }
            var d = New(BackendEventKind.WorkerExited, pid);
            d.MasterProcessId = writer;
            d.ExitCode = code;
            d.Linkable = true;
            if (code == 3) d.Notes.Add("exit code 3: worker failed to boot (the master halts)");
            else if (code == 4) d.Notes.Add("exit code 4: app failed to load (the master halts)");
            Emit(d, open: true);
        }
        else if ((x = Booting().Match(msg)).Success)
        {
            Emit(New(BackendEventKind.WorkerBooted, Int(x.Groups["pid"].ValueSpan)));
        }
        else if ((x = Exiting().Match(msg)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            d.Linkable = true;
            Emit(d);
        }
        else if (msg.StartsWith("Autorestarting worker after current request", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.MaxRequestsRecycle, writer);
            d.Notes.Add("max_requests reached");
            Emit(d);
        }
        else if ((x = ErrorHandling().Match(msg)).Success)
        {
            var d = New(BackendEventKind.Error, writer);
            if (x.Groups["req"].Success && x.Groups["req"].Value != "(no URI read)") d.Request = x.Groups["req"].Value;
            d.Tag = new PythonTraceback();
            Emit(d, open: true);
        }
        else if ((x = InvalidRequest().Match(msg)).Success)
        {
            var d = New(BackendEventKind.RequestRejected, writer);
            d.Notes.Add("client " + x.Groups["ip"].Value);
            Emit(d);
        }
        else if ((x = Starting().Match(msg)).Success)
        {
            _master = writer;
            _version = x.Groups["v"].Value;
            var d = New(BackendEventKind.ListenerStarted, writer);
            d.MasterProcessId = writer;
            Emit(d, open: true);
        }
        else if ((x = Listening().Match(msg)).Success)
        {
            _master = Int(x.Groups["pid"].ValueSpan);
            if (Open is { Kind: BackendEventKind.ListenerStarted } o) { o.Fold(text); o.Notes.Add("listening at " + x.Groups["url"].Value); return; }
            var d = New(BackendEventKind.ListenerStarted, _master);
            d.MasterProcessId = _master;
            d.Notes.Add("listening at " + x.Groups["url"].Value);
            Emit(d, open: true);
        }
        else if ((x = UsingWorker().Match(msg)).Success)
        {
            _workerClass = x.Groups["w"].Value;
            if (Open is { Kind: BackendEventKind.ListenerStarted } o) { o.Fold(text); o.Notes.Add("worker class " + _workerClass); }
            else { Close(); Skip("lifecycle line"); }
        }
        else if ((x = HandlingSignal().Match(msg)).Success)
        {
            _master = writer;
            var sig = x.Groups["sig"].Value.ToLowerInvariant();
            var kind = sig switch
            {
                "hup" or "usr2" => BackendEventKind.MasterReload,
                "term" or "int" or "quit" => BackendEventKind.Shutdown,
                _ => BackendEventKind.Other,
            };
            var d = New(kind, writer);
            d.MasterProcessId = writer;
            d.SetSignal(Signals.Number(sig) ?? 0);
            Emit(d, open: true);
        }
        else if (msg.StartsWith("Hang up:", StringComparison.Ordinal) || msg.StartsWith("Shutting down:", StringComparison.Ordinal) || msg.StartsWith("Reason:", StringComparison.Ordinal))
        {
            var kind = msg.StartsWith("Hang up:", StringComparison.Ordinal) ? BackendEventKind.MasterReload : BackendEventKind.Shutdown;
            if (Open is { } o && (o.Kind == kind || (o.Kind == BackendEventKind.Shutdown && kind == BackendEventKind.Shutdown)) && o.WriterProcessId == writer)
            {
                o.Fold(text);
                if (msg.StartsWith("Reason:", StringComparison.Ordinal)) o.Notes.Add(msg);
                return;
            }
            var d = New(kind, writer);
            d.MasterProcessId = writer;
            Emit(d, open: true);
        }
        else if (level is "ERROR" or "CRITICAL")
        {
            // "Exception in worker process" + traceback, and other failures worth seeing.
            var d = New(BackendEventKind.Error, writer);
            d.Tag = new PythonTraceback();
            Emit(d, open: true);
        }
        else if (level is "WARNING")
        {
            // What the application logged through gunicorn's logger ("upload over the limit:
            // closing"): what the backend said at the moment nginx lost the connection.
            Emit(New(BackendEventKind.Warning, writer));
        }
        else
        {
            Close();
            Skip(level == "DEBUG" ? "debug line" : "not an event");
        }
    }

    private void DeathBySignal(EventDraft d, int num)
    {
        d.SetSignal(num);
        d.Kind = Signals.DeathKind(num);
        d.Linkable = true;
        if (num == 9)
        {
            d.NoteIfLinked = "SIGKILL is the timeout escalation (the SIGABRT handler could not run), not an OOM kill";
            d.NoteIfNotLinked = "no WORKER TIMEOUT of this pid just before: likely the kernel OOM killer or an operator (see Get-OomKill)";
        }
        if (Signals.IsFault(num) && _stray is { } s && d.LineNumber - s.LineNumber <= 3)
            d.Notes.Add($"preceded by stderr line '{s.Text}'");
    }

    private string TimeoutOutcome()
    {
        var sync = _workerClass is null or "sync";
        if (!sync) return $"{_workerClass} worker: the heartbeat stopped, so the worker's main loop was blocked";
        if (_version is null)
            return "on gunicorn 22+ a sync worker answers HTTP 500 rather than dying (nginx logs no upstream error); on 21 and older it dies and nginx sees a premature close or a 104 reset";
        return MajorVersion(_version) >= 22
            ? $"gunicorn {_version}: the sync worker answers HTTP 500 rather than dying, so nginx logs no upstream error (look for 500s in the access log)"
            : $"gunicorn {_version}: the worker dies mid-request, so nginx sees 'upstream prematurely closed' or a 104 reset";
    }

    private static int MajorVersion(string v) => int.TryParse(v.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    protected override void Complete(EventDraft d)
    {
        d.MasterProcessId ??= _master;
        d.BackendVersion ??= _version;
        if (d.Tag is PythonTraceback { Exception: { } exc })
        {
            d.Notes.Add("exc=" + exc);
            if (exc.StartsWith("SystemExit", StringComparison.Ordinal))
            {
                // 22.0+: handle_abort's SystemExit is caught by the sync worker and answered with a 500.
                d.Linkable = true;
                d.NoteIfLinked = "raised by handle_abort after WORKER TIMEOUT: gunicorn 22+ sync worker answers HTTP 500, so nginx logs no upstream error";
            }
        }
        if (d.Tag is PythonTraceback) d.Tag = null;
    }
}
