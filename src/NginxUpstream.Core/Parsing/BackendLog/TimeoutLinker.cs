using NginxUpstream.Model;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Ties a worker's death to the timeout that caused it: a SIGKILL ~1 s after gunicorn's WORKER
/// TIMEOUT is the timeout escalating (the SIGABRT handler could not run), not the OOM killer;
/// php-fpm's SIGTERM after "execution timed out" and uWSGI's SIGKILL after HARAKIRI likewise.
/// With stamps on both lines the death must fall inside the window; when either line has no stamp
/// (uWSGI), it must follow within a few events, which is how the masters write them.
/// </summary>
internal sealed class TimeoutLinker(TimeSpan window)
{
    private const int MaxEventsBetween = 6;
    private readonly Dictionary<int, (DateTimeOffset? Time, long Seq, BackendEventKind Kind)> _timeouts = [];
    private long _seq;

    public void Link(EventDraft d)
    {
        _seq++;
        if (d.ProcessId is not int pid) return;
        if (d.Kind is BackendEventKind.WorkerTimeout or BackendEventKind.RequestTimedOut or BackendEventKind.Harakiri)
        {
            _timeouts[pid] = (d.Time, _seq, d.Kind);
            return;
        }
        if (!d.Linkable) return;
        var linked = false;
        if (_timeouts.TryGetValue(pid, out var t))
        {
            linked = t.Time is { } tt && d.Time is { } dt
                ? dt >= tt && dt - tt <= window
                : _seq - t.Seq <= MaxEventsBetween;
            if (linked)
            {
                d.PartOfTimeout = true;
                d.Notes.Add($"part of the {Describe(t.Kind)} of pid {pid}{(t.Time is { } x ? " at " + x.ToString("HH:mm:ss") : "")}");
            }
        }
        var note = linked ? d.NoteIfLinked : d.NoteIfNotLinked;
        if (note is not null) d.Notes.Add(note);
    }

    private static string Describe(BackendEventKind k) => k switch
    {
        BackendEventKind.RequestTimedOut => "request timeout",
        BackendEventKind.Harakiri => "harakiri",
        _ => "worker timeout",
    };
}
