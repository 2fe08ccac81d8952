using System.Text;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// A backend event being assembled: parsers fill it, may fold continuation lines into it
/// (tracebacks, HARAKIRI dumps, Java stacks), and the timeout linker annotates it before it
/// becomes an immutable <see cref="BackendEvent"/>.
/// </summary>
public sealed class EventDraft
{
    private readonly StringBuilder _lines = new();

    public EventDraft(BackendLine first, BackendEventKind kind, string message)
    {
        Source = first.Line.Source;
        LineNumber = first.Line.LineNumber;
        _lines.Append(first.Line.Text);
        Kind = kind;
        Message = message;
        WriterProcessId = first.EnvelopePid;
    }

    public string Source { get; }
    public long LineNumber { get; }
    public BackendEventKind Kind { get; set; }
    /// <summary>First part of Detail: the event in the backend's words.</summary>
    public string Message { get; set; }
    public List<string> Notes { get; } = [];
    public DateTimeOffset? Time { get; set; }
    public bool ZoneAssumed { get; set; }
    public int? ProcessId { get; set; }
    public int? MasterProcessId { get; set; }
    public int? WriterProcessId { get; set; }
    public int? SignalNumber { get; set; }
    public string? Signal { get; set; }
    public int? ExitCode { get; set; }
    public bool CoreDumped { get; set; }
    public string? Pool { get; set; }
    public int? WorkerId { get; set; }
    public string? Request { get; set; }
    public string? BackendVersion { get; set; }
    public bool PartOfTimeout { get; set; }
    /// <summary>Physical lines folded in so far.</summary>
    public int LineCount { get; private set; } = 1;

    /// <summary>The linker may tie this event to an earlier timeout of the same pid (deaths, exits, aborts).</summary>
    public bool Linkable { get; set; }
    /// <summary>Note added when the linker ties it to a timeout.</summary>
    public string? NoteIfLinked { get; set; }
    /// <summary>Note added when it does not.</summary>
    public string? NoteIfNotLinked { get; set; }

    /// <summary>Free slot for a parser's per-event state (e.g. "waiting for the request line").</summary>
    public object? Tag { get; set; }

    public void Fold(string text)
    {
        _lines.Append('\n').Append(text);
        LineCount++;
    }

    public void SetSignal(int number)
    {
        SignalNumber = number;
        Signal = Signals.Name(number);
    }

    public BackendEvent ToEvent(BackendKind backend) => new()
    {
        Source = Source,
        LineNumber = LineNumber,
        Line = _lines.ToString(),
        Time = Time,
        ZoneAssumed = ZoneAssumed,
        Backend = backend,
        Kind = Kind,
        ProcessId = ProcessId,
        MasterProcessId = MasterProcessId,
        WriterProcessId = WriterProcessId,
        Signal = Signal,
        SignalNumber = SignalNumber,
        ExitCode = ExitCode,
        CoreDumped = CoreDumped,
        Pool = Pool,
        WorkerId = WorkerId,
        Request = Request,
        BackendVersion = BackendVersion,
        PartOfTimeout = PartOfTimeout,
        Detail = Notes.Count == 0 ? Message : Message + "; " + string.Join("; ", Notes),
    };
}
