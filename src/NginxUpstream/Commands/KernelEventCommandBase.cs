using System.Management.Automation;
using NginxUpstream.Internal;
using NginxUpstream.Model;
using NginxUpstream.Parsing.KernelLog;
using NginxUpstream.Sources;

namespace NginxUpstream.Commands;

/// <summary>
/// Shared binding of Get-OomKill and Get-ProcessCrash: both read kernel/system logs through the
/// kernel-log engine and keep the records of their type that pass the filters.
/// </summary>
public abstract class KernelEventCommandBase : LogReaderCommandBase
{
    private KernelEventParser? _textParser;
    private ReadStats? _textStats;
    private readonly List<LogRecord> _buffer = new();
    private long _textLine;

    /// <summary>Wall-clock time of the boot that boot-relative stamps (dmesg raw, /dev/kmsg) count from.</summary>
    [Parameter]
    public DateTimeOffset? BootTime { get; set; }

    /// <summary>Only records whose process name matches one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ProcessName { get; set; }

    /// <summary>Keeps the records of the cmdlet's type that pass its own filters.</summary>
    protected abstract bool Accept(LogRecord record);

    protected override string PipelineSourceName => "<pipeline>";

    private KernelLogOptions Options(DateTimeOffset? reference = null) => new()
    {
        BootTime = BootTime, TimeZone = Zone, ReferenceDate = reference,
        Warning = WriteWarning,
    };

    protected bool NameMatches(string? name)
    {
        if (ProcessName is null) return true;
        if (name is null) return false;
        foreach (var p in ProcessName)
            if (WildcardPattern.Get(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(name)) return true;
        return false;
    }

    protected static bool AnyMatches(string[]? patterns, params string?[] values)
    {
        if (patterns is null) return true;
        foreach (var p in patterns)
        {
            var w = WildcardPattern.Get(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (var v in values) if (v is not null && w.IsMatch(v)) return true;
        }
        return false;
    }

    private static DateTimeOffset? TimeOf(LogRecord r) => r switch
    {
        OomKill k => k.Time,
        ProcessCrash c => c.Time,
        _ => null,
    };

    private void Emit(LogRecord r)
    {
        if (!InRange(TimeOf(r)) || !Accept(r)) return;
        WriteObject(r);
    }

    protected override void ProcessFile(string path, ReadStats stats)
    {
        var length = new FileInfo(path).Length;
        var reference = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        foreach (var r in Parsing.KernelLog.KernelLog.ParseFile(path, Options(reference), stats, Cancel))
        {
            Emit(r);
            ReportProgress(path, stats.BytesRead, length);
        }
    }

    protected override void ProcessTextLine(string text)
    {
        if (_textParser is null)
        {
            _textStats = new ReadStats();
            _textParser = new KernelEventParser(PipelineSourceName, Options(), _textStats);
        }
        foreach (var line in text.Split('\n'))
        {
            _textLine++;
            _textStats!.LinesRead++;
            _textStats.BytesRead += line.Length + 1;
            _textParser.Push(line.EndsWith('\r') ? line[..^1] : line, _textLine, _buffer);
        }
        Flush();
    }

    protected override void EndText()
    {
        if (_textParser is null) return;
        _textParser.Complete(_buffer);
        Flush();
        WriteVerbose($"{PipelineSourceName} ({_textParser.Format}): {_textStats}.");
        Totals.Add(_textStats!);
    }

    private void Flush()
    {
        foreach (var r in _buffer) Emit(r);
        _buffer.Clear();
    }

    protected override void ReadDefaultSources()
    {
        var stats = new ReadStats();
        var read = false;
        KernelSourceNotice? denied = null, failed = null, unavailable = null;
        void Notice(KernelSourceNotice n)
        {
            switch (n.Status)
            {
                case KernelSourceStatus.Reading: read = true; WriteVerbose($"Reading {n.Source}: {n.Message}"); break;
                case KernelSourceStatus.AccessDenied:
                    denied = n;
                    WriteWarning(n.Message + (n.RecommendedAction is null ? "" : " " + n.RecommendedAction));
                    break;
                case KernelSourceStatus.Failed: failed = n; WriteWarning($"{n.Source}: {n.Message}"); break;
                default: unavailable = n; WriteVerbose($"{n.Source}: {n.Message}"); break;
            }
        }
        var settings = new HostKernelLogSettings { Since = Since };
        foreach (var r in HostKernelLog.Read(Options(), stats, Notice, settings, Cancel)) Emit(r);
        WriteVerbose($"Default sources: {stats}.");
        Totals.Add(stats);
        if (read) return;
        if (denied is not null)
            WriteError(new ErrorRecord(new UnauthorizedAccessException(denied.Message), "KernelLogAccessDenied", ErrorCategory.PermissionDenied, denied.Source)
            {
                ErrorDetails = new ErrorDetails(denied.Message) { RecommendedAction = denied.RecommendedAction },
            });
        else
            WriteError(new ErrorRecord(new FileNotFoundException((failed ?? unavailable)?.Message ?? "No kernel log source is readable."), "NoKernelLogSource",
                ErrorCategory.ObjectNotFound, (failed ?? unavailable)?.Source)
            {
                ErrorDetails = new ErrorDetails((failed ?? unavailable)?.Message ?? "No kernel log source is readable.")
                { RecommendedAction = "Pass a saved log with -Path (dmesg output, 'journalctl -k -o json' output, kern.log)." },
            });
    }
}
