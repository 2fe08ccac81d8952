using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// PHP-FPM error log: "[dd-Mon-YYYY HH:MM:SS(.uuuuuu)] LEVEL: (pid N, func(), line N: )msg", local
/// time of the master with no zone; under error_log=syslog "[LEVEL] msg" without a time.
/// </summary>
public sealed partial class PhpFpmLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^\[(?<ts>\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d)(?:\.\d{6})?\] (?<lvl>DEBUG|NOTICE|WARNING|ERROR|ALERT): (?:pid \d+, [^,]*, line \d+: )?(?<msg>.*)$")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^\[(?<lvl>DEBUG|NOTICE|WARNING|ERROR|ALERT)\] (?<msg>.*)$")]
    private static partial Regex SyslogPrefix();

    [GeneratedRegex(@"^\[pool (?<pool>[^\]]+)\] (?<rest>.*)$")]
    private static partial Regex Pool();

    [GeneratedRegex(@"^child (?<pid>\d+) exited (?:with code (?<code>-?\d+)|on signal (?<sig>\d+) \((?<name>SIG\w+)?(?<core> - core dumped)?\)) after (?<secs>[\d.]+) seconds from start")]
    private static partial Regex ChildExited();

    [GeneratedRegex(@"^child (?<pid>\d+) started")]
    private static partial Regex ChildStarted();

    [GeneratedRegex(@"^child (?<pid>\d+) has been killed by the process management after (?<secs>[\d.]+) seconds")]
    private static partial Regex ChildIdleKilled();

    [GeneratedRegex(@"^child (?<pid>\d+), script '(?<script>[^']*)' \(request: ""(?<req>[^""]*)""\) (?<what>execution timed out|executing too slow) \((?<secs>[\d.]+) sec\)")]
    private static partial Regex ScriptTimer();

    [GeneratedRegex(@"^server reached (?:pm\.)?max_children setting \((?<n>\d+)\)")]
    private static partial Regex MaxChildren();

    [GeneratedRegex(@"^child (?<pid>\d+) said into (?<stream>stdout|stderr): (?<text>.*)$")]
    private static partial Regex Said();

    [GeneratedRegex(@"^fpm is running, pid (?<pid>\d+)")]
    private static partial Regex Running();

    [GeneratedRegex(@"^(?:child (?<pid>\d+) stopped for tracing|about to trace (?<pid>\d+)|finished trace of (?<pid>\d+))")]
    private static partial Regex Trace();

    [GeneratedRegex(@"^oops, unknown child \((?<pid>\d+)\) exited (?:with code (?<code>-?\d+)|on signal (?<sig>\d+))")]
    private static partial Regex UnknownChild();

    private int? _master;

    public override BackendKind Backend => BackendKind.PhpFpm;

    internal static int Score(string text)
    {
        var m = Prefix().Match(text);
        if (!m.Success) m = SyslogPrefix().Match(text);
        if (!m.Success) return 0;
        var msg = m.Groups["msg"].Value;
        return msg.StartsWith("[pool ", StringComparison.Ordinal) || msg.StartsWith("fpm is running", StringComparison.Ordinal) ? 3 : 1;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        DateTime? local = null;
        var m = Prefix().Match(text);
        if (m.Success) local = DateTime.ParseExact(m.Groups["ts"].Value, "dd-MMM-yyyy HH:mm:ss", CultureInfo.InvariantCulture);
        else if (!(m = SyslogPrefix().Match(text)).Success)
        {
            // Worker output continues on its own lines when it is wrapped.
            Skip(text.Length == 0 ? "empty line" : "not a php-fpm line");
            return;
        }
        var level = m.Groups["lvl"].Value;
        var msg = m.Groups["msg"].Value;
        string? pool = null;
        var body = msg;
        var pm = Pool().Match(msg);
        if (pm.Success) { pool = pm.Groups["pool"].Value; body = pm.Groups["rest"].Value; }

        EventDraft New(BackendEventKind kind, int? pid)
        {
            var d = new EventDraft(line, kind, msg) { ProcessId = pid, Pool = pool };
            if (local is { } l) SetLocalTime(d, l);
            else UseEnvelopeTime(d, line);
            return d;
        }

        Match x;
        if ((x = ChildExited().Match(body)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            d.Linkable = true;
            if (x.Groups["code"].Success)
            {
                d.ExitCode = Int(x.Groups["code"].ValueSpan);
                if (d.ExitCode == 0)
                {
                    // FPM has no line naming pm.max_requests: a clean exit at NOTICE is the recycle.
                    d.Kind = BackendEventKind.MaxRequestsRecycle;
                    d.Notes.Add("exit code 0: normal end, typically pm.max_requests reached");
                }
            }
            else
            {
                var num = Int(x.Groups["sig"].ValueSpan);
                d.SetSignal(num);
                d.CoreDumped = x.Groups["core"].Success;
                if (num == 3)
                {
                    d.Kind = BackendEventKind.WorkerExited;
                    d.Notes.Add("SIGQUIT: graceful stop by the master");
                }
                else
                {
                    d.Kind = Signals.DeathKind(num);
                    d.NoteIfLinked = num == 15 ? "SIGTERM sent by FPM for request_terminate_timeout" : null;
                    d.NoteIfNotLinked = num is 9 or 15 ? "no FPM timeout line before it: an external kill (OOM killer, operator, systemd)" : null;
                    if (num is 11 or 7) d.Notes.Add("counts toward emergency_restart_threshold");
                }
            }
            Emit(d);
        }
        else if ((x = ChildStarted().Match(body)).Success)
            Emit(New(BackendEventKind.WorkerBooted, Int(x.Groups["pid"].ValueSpan)));
        else if ((x = ChildIdleKilled().Match(body)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            d.Notes.Add("idle child stopped by the process manager");
            Emit(d);
        }
        else if ((x = ScriptTimer().Match(body)).Success)
        {
            var timedOut = x.Groups["what"].Value == "execution timed out";
            var d = New(timedOut ? BackendEventKind.RequestTimedOut : BackendEventKind.SlowRequest, Int(x.Groups["pid"].ValueSpan));
            d.Request = x.Groups["req"].Value;
            d.Notes.Add($"script {x.Groups["script"].Value}, {x.Groups["secs"].Value} s");
            d.Notes.Add(timedOut ? "request_terminate_timeout: FPM sends SIGTERM" : "request_slowlog_timeout: stack written to the slowlog");
            Emit(d);
        }
        else if ((x = Trace().Match(body)).Success)
        {
            var pid = Int(x.Groups["pid"].ValueSpan);
            if (Open is { Kind: BackendEventKind.SlowRequestTrace } o && o.ProcessId == pid) { o.Fold(text); return; }
            Emit(New(BackendEventKind.SlowRequestTrace, pid), open: true);
        }
        else if ((x = MaxChildren().Match(body)).Success)
        {
            var d = New(BackendEventKind.MaxChildrenReached, null);
            d.Notes.Add($"max_children {x.Groups["n"].Value}" + (body.StartsWith("server reached pm.", StringComparison.Ordinal) ? "" : ", ondemand wording"));
            d.Notes.Add("new requests wait in the listen backlog; nginx sees EAGAIN (11) or 110 when it overflows");
            Emit(d);
        }
        else if (body.StartsWith("The maximum number of processes has been reached", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.MaxChildrenReached, null);
            d.Notes.Add("global process.max reached");
            Emit(d);
        }
        else if ((x = Said().Match(body)).Success)
        {
            var d = New(BackendEventKind.WorkerOutput, Int(x.Groups["pid"].ValueSpan));
            Emit(d);
        }
        else if ((x = Running().Match(body)).Success)
        {
            _master = Int(x.Groups["pid"].ValueSpan);
            // After a reload the master execs itself and says it again: part of the reload.
            if (Open is { Kind: BackendEventKind.MasterReload } o) { o.Fold(text); o.ProcessId ??= _master; return; }
            var d = New(BackendEventKind.ListenerStarted, _master);
            Emit(d, open: true);
        }
        else if (body.StartsWith("ready to handle connections", StringComparison.Ordinal) || body.StartsWith("reloading: execvp", StringComparison.Ordinal)
                 || body.StartsWith("exiting, bye-bye", StringComparison.Ordinal))
        {
            if (Open is { Kind: BackendEventKind.ListenerStarted or BackendEventKind.MasterReload or BackendEventKind.Shutdown } o) { o.Fold(text); return; }
            if (body.StartsWith("exiting", StringComparison.Ordinal)) { Emit(New(BackendEventKind.Shutdown, _master), open: true); return; }
            Close();
            Skip("lifecycle line");
        }
        else if (body.StartsWith("Reloading in progress", StringComparison.Ordinal))
            Emit(New(BackendEventKind.MasterReload, _master), open: true);
        else if (body.StartsWith("Terminating ...", StringComparison.Ordinal) || body.StartsWith("Finishing ...", StringComparison.Ordinal))
            Emit(New(BackendEventKind.Shutdown, _master), open: true);
        else if (body.StartsWith("failed processes threshold", StringComparison.Ordinal))
        {
            var d = New(BackendEventKind.MasterReload, _master);
            d.Notes.Add("emergency_restart_threshold reached: crash loop");
            Emit(d, open: true);
        }
        else if ((x = UnknownChild().Match(body)).Success)
        {
            var d = New(BackendEventKind.WorkerExited, Int(x.Groups["pid"].ValueSpan));
            if (x.Groups["code"].Success) d.ExitCode = Int(x.Groups["code"].ValueSpan);
            else { d.SetSignal(Int(x.Groups["sig"].ValueSpan)); d.Kind = Signals.DeathKind(d.SignalNumber!.Value); }
            Emit(d);
        }
        else if (body.Contains("seems busy", StringComparison.Ordinal))
            Emit(New(BackendEventKind.Other, null));
        else if (level is "ERROR" or "ALERT")
            Emit(New(BackendEventKind.Error, null));
        else
        {
            Close();
            Skip(level == "DEBUG" ? "debug line" : "not an event");
        }
    }

    protected override void Complete(EventDraft d)
    {
        d.MasterProcessId ??= _master;
    }
}
