using System.Globalization;
using NginxUpstream.Model;
using NginxUpstream.Sources;
using NginxUpstream.Time;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Base of the per-format parsers. A parser is a small state machine fed one line at a time, in
/// file order: it may hold one open event that absorbs continuation lines (tracebacks, stacks,
/// dumps); every event passes the <see cref="TimeoutLinker"/> and comes out in line order.
/// Lines without a stamp give events without a time (the envelope's time when journald gave one).
/// </summary>
public abstract class BackendLogParser
{
    private readonly Queue<BackendEvent> _out = new();
    private readonly TimeoutLinker _linker;

    protected BackendLogParser(BackendLogOptions? options, ReadStats? stats)
    {
        Options = options ?? BackendLogOptions.Default;
        Stats = stats ?? new ReadStats();
        _linker = new TimeoutLinker(Options.TimeoutLinkWindow);
    }

    public abstract BackendKind Backend { get; }
    protected BackendLogOptions Options { get; }
    protected ReadStats Stats { get; }

    /// <summary>The event still absorbing continuation lines, if any.</summary>
    protected EventDraft? Open { get; private set; }

    /// <summary>Parses lines in order; the parser keeps its state, so one instance reads one source.</summary>
    public IEnumerable<BackendEvent> Parse(IEnumerable<BackendLine> lines, CancellationToken cancel = default)
    {
        foreach (var l in lines)
        {
            cancel.ThrowIfCancellationRequested();
            OnLine(l);
            while (_out.Count > 0) yield return _out.Dequeue();
        }
        Close();
        OnEnd();
        while (_out.Count > 0) yield return _out.Dequeue();
    }

    /// <summary>Handles one line: emit, fold into <see cref="Open"/>, or <see cref="Skip"/>.</summary>
    protected abstract void OnLine(BackendLine line);

    /// <summary>End of input: last chance to emit pending state.</summary>
    protected virtual void OnEnd() { }

    /// <summary>Finishes the open event, if any.</summary>
    protected void Close()
    {
        if (Open is null) return;
        var d = Open;
        Open = null;
        Finish(d);
    }

    /// <summary>Closes the open event and emits <paramref name="d"/>; with <paramref name="open"/> it stays open for continuation lines.</summary>
    protected EventDraft Emit(EventDraft d, bool open = false)
    {
        Close();
        if (open) Open = d;
        else Finish(d);
        return d;
    }

    private void Finish(EventDraft d)
    {
        Complete(d);
        _linker.Link(d);
        _out.Enqueue(d.ToEvent(Backend));
        Stats.RecordsEmitted++;
    }

    /// <summary>Last touch before an event leaves (fill master pid, version).</summary>
    protected virtual void Complete(EventDraft d) { }

    /// <summary>Counts a line that yields no event, with the reason -Verbose shows.</summary>
    protected void Skip(string reason) => Stats.Skip(reason);

    /// <summary>A zone-less wall-clock stamp in the configured zone.</summary>
    protected void SetLocalTime(EventDraft d, DateTime local)
    {
        d.Time = TimeZones.ToOffset(local, Options.Zone);
        d.ZoneAssumed = true;
    }

    /// <summary>The envelope's time (journald), used only when the text has no stamp.</summary>
    protected static void UseEnvelopeTime(EventDraft d, BackendLine line)
    {
        if (d.Time is null && line.EnvelopeTime is { } t) d.Time = t;
    }

    protected static int Int(ReadOnlySpan<char> s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    protected static bool TryExact(string s, string format, out DateTime dt) =>
        DateTime.TryParseExact(s, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out dt);
}
