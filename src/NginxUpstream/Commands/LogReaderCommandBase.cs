using System.Management.Automation;
using NginxUpstream.Internal;
using NginxUpstream.Sources;

namespace NginxUpstream.Commands;

/// <summary>
/// Shared surface of the log-reading cmdlets: -Path (wildcards), -LiteralPath (alias PSPath, so
/// Get-ChildItem binds), lines of text from the pipeline (-InputObject), -Since/-Until and
/// -TimeZone; plus progress, cancellation and -Verbose accounting. Derived cmdlets implement
/// how a file, a text line and "no input at all" (the host's default sources) are read.
/// </summary>
public abstract class LogReaderCommandBase : PSCmdlet, IDisposable
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string TextSet = "Text";

    private readonly CancellationTokenSource _cancel = new();
    private bool _sawInput;
    private DateTime _lastProgress;

    /// <summary>Log files to read; wildcards allowed. gzip is detected and decompressed.</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Log files to read, taken literally (no wildcards). Binds PSPath from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Lines of log text from the pipeline (journalctl -o cat, Get-Content, ssh output).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TextSet)]
    [AllowEmptyString]
    public string[]? InputObject { get; set; }

    /// <summary>Only records at or after this time: a DateTime, or a TimeSpan meaning that long ago.</summary>
    [Parameter]
    [TimeBoundTransformation]
    public DateTimeOffset? Since { get; set; }

    /// <summary>Only records at or before this time: a DateTime, or a TimeSpan meaning that long ago.</summary>
    [Parameter]
    [TimeBoundTransformation]
    public DateTimeOffset? Until { get; set; }

    /// <summary>Zone of timestamps written without one. Default: this host's zone.</summary>
    [Parameter]
    [TimeZoneTransformation]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
    protected CancellationToken Cancel => _cancel.Token;

    /// <summary>The zone to apply: -TimeZone or the host's.</summary>
    protected TimeZoneInfo Zone => TimeZone ?? TimeZoneInfo.Local;

    /// <summary>Name used for pipeline text in Source.</summary>
    protected virtual string PipelineSourceName => "<pipeline>";

    /// <summary>Totals across every source, reported at the end with -Verbose.</summary>
    protected ReadStats Totals { get; } = new();

    /// <summary>Whether a record's time passes -Since/-Until. A record without a time passes only when neither is given.</summary>
    protected bool InRange(DateTimeOffset? t) =>
        t is null ? Since is null && Until is null : (Since is null || t >= Since) && (Until is null || t <= Until);

    protected override void ProcessRecord()
    {
        try
        {
            switch (ParameterSetName)
            {
                case TextSet:
                    _sawInput = true;
                    if (InputObject is not null)
                        foreach (var s in InputObject) ProcessTextLine(s);
                    break;
                case LiteralPathSet:
                    _sawInput = true;
                    ReadFiles(PathResolver.Resolve(this, LiteralPath, literal: true));
                    break;
                default:
                    if (Path is not null)
                    {
                        _sawInput = true;
                        ReadFiles(PathResolver.Resolve(this, Path, literal: false));
                    }
                    break;
            }
        }
        catch (OperationCanceledException) when (Stopping || _cancel.IsCancellationRequested) { }
    }

    protected override void EndProcessing()
    {
        try
        {
            if (ParameterSetName == TextSet) EndText();
            else if (!_sawInput) ReadDefaultSources();
        }
        catch (OperationCanceledException) when (Stopping || _cancel.IsCancellationRequested) { }
        WriteVerbose($"Total: {Totals}.");
    }

    protected override void StopProcessing() => _cancel.Cancel();

    public void Dispose()
    {
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }

    private void ReadFiles(IEnumerable<string> files)
    {
        foreach (var f in files)
        {
            if (Stopping) return;
            var stats = new ReadStats();
            WriteVerbose($"Reading '{f}' ({new FileInfo(f).Length:N0} bytes).");
            try
            {
                ProcessFile(f, stats);
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                WriteError(Errors.FromReadException(e, f));
            }
            finally
            {
                CompleteProgress(f);
                WriteVerbose($"'{f}': {stats}.");
                Totals.Add(stats);
            }
        }
    }

    /// <summary>Reads one resolved file. I/O exceptions become non-terminating errors.</summary>
    protected abstract void ProcessFile(string path, ReadStats stats);

    /// <summary>One pipeline string (may contain several lines).</summary>
    protected abstract void ProcessTextLine(string text);

    /// <summary>End of pipeline text: flush records still being assembled.</summary>
    protected virtual void EndText() { }

    /// <summary>No -Path, -LiteralPath or pipeline input: read this host's default sources.</summary>
    protected abstract void ReadDefaultSources();

    /// <summary>Progress by bytes, throttled to ~5 updates a second.</summary>
    protected void ReportProgress(string path, long done, long total)
    {
        var now = DateTime.UtcNow;
        if ((now - _lastProgress).TotalMilliseconds < 200 || total <= 0) return;
        _lastProgress = now;
        WriteProgress(new ProgressRecord(1, $"Reading {MyInvocation.MyCommand.Name}", path)
        {
            PercentComplete = (int)Math.Clamp(done * 100 / total, 0, 100),
            StatusDescription = $"{path}: {done / (1 << 20):N0} of {total / (1 << 20):N0} MB",
        });
    }

    private void CompleteProgress(string path)
    {
        if (_lastProgress == default) return;
        WriteProgress(new ProgressRecord(1, $"Reading {MyInvocation.MyCommand.Name}", path) { RecordType = ProgressRecordType.Completed });
        _lastProgress = default;
    }
}
