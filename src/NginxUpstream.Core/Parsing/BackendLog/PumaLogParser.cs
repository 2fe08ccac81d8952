using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Puma log. LogWriter lines have no time; in cluster mode they start with "[pid] " (the writer).
/// Error-logger lines start with Ruby Time#to_s "YYYY-mm-dd HH:MM:SS +zzzz". Puma logs nothing
/// when a worker dies on its own, so a new "booted" line for the same index and phase without a
/// line about the old one is reported as an inferred WorkerVanished for the old pid.
/// </summary>
public sealed partial class PumaLogParser(BackendLogOptions? options = null, ReadStats? stats = null)
    : BackendLogParser(options, stats)
{
    [GeneratedRegex(@"^\[(?<pid>\d+)\] (?<msg>.*)$")]
    private static partial Regex PidPrefix();

    [GeneratedRegex(@"^(?<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?<z>[+-]\d{4}) (?<msg>.*)$")]
    private static partial Regex ErrorLoggerPrefix();

    [GeneratedRegex(@"^- Worker (?<n>\d+) \(PID: (?<pid>\d+)\) booted in (?<s>[\d.]+)s, phase: (?<phase>\d+)")]
    private static partial Regex Booted();

    [GeneratedRegex(@"^! Terminating timed out worker \(Worker (?<n>\d+) failed to (?<what>check in|boot) within (?<s>\d+) seconds\): (?<pid>\d+)")]
    private static partial Regex TimedOut();

    [GeneratedRegex(@"^! Terminating timed out worker(?: \(.*\))?: (?<pid>\d+)")]
    private static partial Regex TimedOutOld();

    [GeneratedRegex(@"^\* Listening on (?<url>\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^\*\s+Master PID: (?<pid>\d+)")]
    private static partial Regex MasterPid();

    [GeneratedRegex(@"^\* Puma version: (?<v>\S+)")]
    private static partial Regex Version();

    private readonly Dictionary<int, (int Pid, int Phase)> _workers = [];
    private readonly HashSet<int> _announcedGone = [];
    private int? _master;
    private string? _version;

    public override BackendKind Backend => BackendKind.Puma;

    internal static int Score(string text)
    {
        var msg = PidPrefix().Match(text) is { Success: true } m ? m.Groups["msg"].Value : text;
        if (msg.StartsWith("Puma starting", StringComparison.Ordinal) || msg.StartsWith("* Puma version", StringComparison.Ordinal)
            || Booted().IsMatch(msg) || msg.StartsWith("! Terminating timed out worker", StringComparison.Ordinal))
            return 3;
        return 0;
    }

    protected override void OnLine(BackendLine line)
    {
        var text = line.Text;
        var msg = text;
        int? writer = line.EnvelopePid;
        DateTimeOffset? time = null;
        var pm = PidPrefix().Match(text);
        if (pm.Success) { writer = Int(pm.Groups["pid"].ValueSpan); msg = pm.Groups["msg"].Value; }
        else if (ErrorLoggerPrefix().Match(text) is { Success: true } em)
        {
            var local = DateTime.ParseExact(em.Groups["ts"].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var z = em.Groups["z"].Value;
            var off = new TimeSpan(Int(z.AsSpan(1, 2)), Int(z.AsSpan(3, 2)), 0);
            time = new DateTimeOffset(local, z[0] == '-' ? -off : off);
            msg = em.Groups["msg"].Value;
        }

        EventDraft New(BackendEventKind kind, int? pid)
        {
            var d = new EventDraft(line, kind, msg) { ProcessId = pid, Time = time, WriterProcessId = writer };
            UseEnvelopeTime(d, line);
            return d;
        }

        Match x;
        if ((x = Booted().Match(msg)).Success)
        {
            var n = Int(x.Groups["n"].ValueSpan);
            var pid = Int(x.Groups["pid"].ValueSpan);
            var phase = Int(x.Groups["phase"].ValueSpan);
            if (_workers.TryGetValue(n, out var old) && old.Pid != pid && old.Phase == phase && !_announcedGone.Contains(old.Pid))
            {
                // Same index, same phase, nothing said about the old pid: it died unannounced (OOM kill, crash).
                var v = New(BackendEventKind.WorkerVanished, old.Pid);
                v.Time = null;
                v.WorkerId = n;
                v.Message = $"inferred: Worker {n} rebooted as PID {pid} with no line about PID {old.Pid}";
                v.Notes.Add("Puma logs nothing when a worker dies unexpectedly (OOM kill, crash); see Get-OomKill / Get-ProcessCrash");
                Emit(v);
            }
            _workers[n] = (pid, phase);
            if (writer is { } w) _master ??= w;
            var d = New(BackendEventKind.WorkerBooted, pid);
            d.WorkerId = n;
            Emit(d);
        }
        else if ((x = TimedOut().Match(msg)).Success || (x = TimedOutOld().Match(msg)).Success)
        {
            var pid = Int(x.Groups["pid"].ValueSpan);
            _announcedGone.Add(pid);
            var d = New(BackendEventKind.WorkerTimeout, pid);
            if (x.Groups["n"].Success) d.WorkerId = Int(x.Groups["n"].ValueSpan);
            d.Notes.Add((x.Groups["what"].Success && x.Groups["what"].Value == "boot" ? "worker_boot_timeout" : "worker_timeout")
                        + (x.Groups["s"].Success ? $"={x.Groups["s"].Value}s" : "") + "; Puma sends SIGKILL");
            Emit(d);
        }
        else if ((x = Listening().Match(msg)).Success)
        {
            var d = New(BackendEventKind.ListenerStarted, writer);
            d.Notes.Add("listening on " + x.Groups["url"].Value);
            Emit(d);
        }
        else if ((x = MasterPid().Match(msg)).Success) { _master = Int(x.Groups["pid"].ValueSpan); Close(); Skip("lifecycle line"); }
        else if ((x = Version().Match(msg)).Success) { _version = x.Groups["v"].Value; Close(); Skip("lifecycle line"); }
        else if (msg.StartsWith("Puma starting", StringComparison.Ordinal) || msg.StartsWith("* Restarting", StringComparison.Ordinal))
        {
            // A (re)start: worker bookkeeping begins again.
            _workers.Clear();
            _announcedGone.Clear();
            Close();
            Skip("lifecycle line");
        }
        else if (msg.StartsWith("- Gracefully shutting down workers", StringComparison.Ordinal) || msg.StartsWith("- Goodbye!", StringComparison.Ordinal)
                 || msg.StartsWith("- Gracefully stopping", StringComparison.Ordinal))
        {
            if (Open is { Kind: BackendEventKind.Shutdown } o) { o.Fold(text); return; }
            Emit(New(BackendEventKind.Shutdown, writer), open: true);
        }
        else if (msg.StartsWith("HTTP parse error, malformed request", StringComparison.Ordinal))
            Emit(New(BackendEventKind.RequestRejected, writer));
        else if (time is not null)
            Emit(New(BackendEventKind.Error, writer)); // error logger: app errors, "Unable to ...", ...
        else
        {
            Close();
            Skip(text.Length == 0 ? "empty line" : "not an event");
        }
    }

    protected override void Complete(EventDraft d)
    {
        d.MasterProcessId ??= _master;
        d.BackendVersion ??= _version;
    }
}
