using System.Management.Automation;
using NginxUpstream.Internal;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;

namespace NginxUpstream.Commands;

/// <summary>
/// <para type="synopsis">Reads nginx error.log records: upstream resets, premature closes, refused and timed-out connections and their siblings.</para>
/// <para type="description">Parses nginx error.log files (plain or gzip, rotated sets), or error.log lines from the pipeline, into UpstreamError objects. Without -All only records about an upstream are emitted.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "NginxUpstreamError", DefaultParameterSetName = PathSet)]
[OutputType(typeof(UpstreamError))]
public sealed class GetNginxUpstreamErrorCommand : LogReaderCommandBase
{
    private NginxErrorLogReader? _reader;
    private NginxErrorLogReader.TextInput? _text;
    private WildcardPattern[]? _upstream, _client;
    private readonly List<string> _followQueue = new();

    /// <summary>Emit every record of the log (startup notices, client-side errors, buffering warnings...), not only upstream-related ones.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only records of these kinds (Reset, PrematureClose, Refused, TimedOut, ...). Naming a kind also returns client-side records of it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public UpstreamErrorKind[]? Kind { get; set; }

    /// <summary>Only records whose upstream (URL as logged, address host:port or unix:path, or host/group name) matches one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Upstream { get; set; }

    /// <summary>Only records whose client address matches one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Client { get; set; }

    /// <summary>Keep reading the (last) log as nginx writes it, like tail -F, across rotation, until Ctrl+C. Starts at the end of the file unless -Since is given.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Follow { get; set; }

    protected override void BeginProcessing()
    {
        if (Since is { } s && Until is { } u && s > u)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Since ({s:o}) is after -Until ({u:o})."),
                "SinceAfterUntil", ErrorCategory.InvalidArgument, s));
        _reader = new NginxErrorLogReader
        {
            TimeZone = Zone,
            Since = Since,
            Until = Until,
            Kinds = Kind,
            UpstreamOnly = !All && Kind is null,
            // Pipelines count, filter on Kind/Time/Level, or show a screenful: text is decoded for
            // the records that get read (with -All most records are noise nobody reads).
            TextDecoding = TextDecoding.OnFirstUse,
            Progress = (src, done, total) => ReportProgress(src, done, total),
        };
        _upstream = Upstream?.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        _client = Client?.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
    }

    private bool Wanted(UpstreamError e)
    {
        if (_upstream is not null && !_upstream.Any(p => Match(p, e.Upstream) || Match(p, e.UpstreamAddress) || Match(p, e.UpstreamHost)))
            return false;
        if (_client is not null && !_client.Any(p => Match(p, e.Client))) return false;
        return true;
    }

    private static bool Match(WildcardPattern p, string? s) => s is not null && p.IsMatch(s);

    private void Emit(IEnumerable<UpstreamError> records)
    {
        foreach (var e in records)
        {
            if (Stopping) return;
            if (Wanted(e)) WriteObject(e);
        }
    }

    protected override void ProcessFile(string path, ReadStats stats)
    {
        // -Follow: files are queued; all but the last are read and the last followed in EndProcessing.
        if (Follow) { _followQueue.Add(path); return; }
        Emit(_reader!.ReadFile(path, stats, Cancel));
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        if (!Follow || _followQueue.Count == 0 || Stopping) return;
        var last = _followQueue[^1];
        var before = _followQueue.Take(_followQueue.Count - 1).ToList();
        _followQueue.Clear();
        ReadFilesNow(before);
        FollowFile(last);
    }

    private void ReadFilesNow(List<string> files)
    {
        foreach (var f in files)
        {
            if (Stopping) return;
            var stats = new ReadStats();
            WriteVerbose($"Reading '{f}' ({new FileInfo(f).Length:N0} bytes).");
            try { Emit(_reader!.ReadFile(f, stats, Cancel)); }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                WriteError(Errors.FromReadException(e, f));
            }
            WriteVerbose($"'{f}': {stats}.");
            Totals.Add(stats);
        }
    }

    private void FollowFile(string path)
    {
        var stats = new ReadStats();
        WriteVerbose($"Following '{path}' (Ctrl+C to stop).");
        try { Emit(_reader!.Follow(path, stats, cancel: Cancel)); }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(Errors.FromReadException(e, path));
        }
        WriteVerbose($"'{path}' (followed): {stats}.");
    }

    protected override void ProcessTextLine(string text)
    {
        _text ??= _reader!.OpenText(PipelineSourceName);
        Emit(_text.Push(text));
    }

    protected override void EndText()
    {
        if (_text is null) return;
        Emit(_text.Complete());
        WriteVerbose($"'{PipelineSourceName}': {_text.Stats}.");
        Totals.Add(_text.Stats);
    }

    protected override void ReadDefaultSources()
    {
        var set = RotatedLogSet.Expand(NginxErrorLogReader.DefaultPath);
        if (set.Count == 0)
        {
            WriteError(new ErrorRecord(
                new FileNotFoundException($"No nginx error log at '{NginxErrorLogReader.DefaultPath}' (nor rotated siblings).", NginxErrorLogReader.DefaultPath),
                "FileNotFound", ErrorCategory.ObjectNotFound, NginxErrorLogReader.DefaultPath)
            {
                ErrorDetails = new ErrorDetails($"No nginx error log at '{NginxErrorLogReader.DefaultPath}'.")
                {
                    RecommendedAction = "Give -Path (see error_log in 'nginx -T'), or pipe the journal: journalctl -u nginx -o cat | Get-NginxUpstreamError",
                },
            });
            return;
        }
        var needed = _reader!.FilesNeeded(set);
        if (needed.Count < set.Count)
            WriteVerbose($"-Since: skipping {set.Count - needed.Count} rotated file(s) that end before it.");
        if (Follow)
        {
            // History from the rotated files only with -Since; then the live file is followed.
            if (Since is not null) _followQueue.AddRange(needed);
            else _followQueue.Add(needed[^1]);
            return;
        }
        ReadFilesNow(needed.ToList());
    }
}
