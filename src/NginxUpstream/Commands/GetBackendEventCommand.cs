using System.Management.Automation;
using NginxUpstream.Model;
using NginxUpstream.Parsing.BackendLog;
using NginxUpstream.Sources;

namespace NginxUpstream.Commands;

/// <summary>
/// Get-BackendEvent: what gunicorn, php-fpm, uWSGI, Puma, Tomcat, uvicorn or Node logged about
/// their workers (timeouts, kills, exits, boots, recycles, saturation). Reads files, pipeline text,
/// or with no input this host's backend logs and systemd units.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BackendEvent", DefaultParameterSetName = PathSet)]
[OutputType(typeof(BackendEvent))]
public sealed class GetBackendEventCommand : LogReaderCommandBase
{
    private readonly List<string> _text = [];
    private HashSet<BackendEventKind>? _kinds;
    private HashSet<int>? _pids;

    /// <summary>Read the logs as this backend's format instead of detecting it per file.</summary>
    [Parameter]
    public BackendKind Backend { get; set; }

    /// <summary>Only events of these kinds.</summary>
    [Parameter]
    public BackendEventKind[]? Kind { get; set; }

    /// <summary>Only events about these processes (the worker or child the event is about).</summary>
    [Parameter]
    [Alias("Pid")]
    [ValidateRange(1, int.MaxValue)]
    public int[]? ProcessId { get; set; }

    private BackendLogOptions Options => new()
    {
        Backend = MyInvocation.BoundParameters.ContainsKey(nameof(Backend)) && Backend != BackendKind.Unknown ? Backend : null,
        Zone = Zone,
    };

    protected override void BeginProcessing()
    {
        if (Kind is { Length: > 0 }) _kinds = [.. Kind];
        if (ProcessId is { Length: > 0 }) _pids = [.. ProcessId];
    }

    protected override void ProcessFile(string path, ReadStats stats)
    {
        var length = new FileInfo(path).Length;
        var gz = LogFileReader.IsGzip(path);
        try
        {
            foreach (var ev in BackendLogReader.ReadFile(path, Options, stats, Cancel))
            {
                if (!gz) ReportProgress(path, stats.BytesRead, length);
                Write(ev);
            }
        }
        catch (BackendFormatException e)
        {
            WriteError(FormatNotDetected(e, path));
        }
    }

    protected override void ProcessTextLine(string text) => _text.Add(text);

    protected override void EndText()
    {
        var stats = new ReadStats();
        try
        {
            foreach (var ev in BackendLogReader.ReadText(_text, PipelineSourceName, Options, stats, Cancel)) Write(ev);
        }
        catch (BackendFormatException e)
        {
            WriteError(FormatNotDetected(e, PipelineSourceName));
        }
        WriteVerbose($"'{PipelineSourceName}': {stats}.");
        Totals.Add(stats);
    }

    protected override void ReadDefaultSources()
    {
        var sources = BackendLogDiscovery.Discover(includeJournal: true, onNote: WriteVerbose);
        WriteVerbose($"Looked in {BackendLogDiscovery.LogRoot}/gunicorn/, {BackendLogDiscovery.LogRoot}/php*-fpm.log, {BackendLogDiscovery.LogRoot}/uwsgi/ and systemd units like gunicorn/php-fpm/uwsgi: {sources.Count} source(s).");
        if (sources.Count == 0)
        {
            WriteWarning("No backend logs found on this host: looked in /var/log/gunicorn/, /var/log/php*-fpm.log, /var/log/uwsgi/ and the journal of "
                         + "systemd units that look like gunicorn, php-fpm or uwsgi. Give -Path, or pipe the log text in.");
            return;
        }
        foreach (var source in sources)
        {
            if (Stopping) return;
            var stats = new ReadStats();
            WriteVerbose($"Reading '{source}'.");
            try
            {
                foreach (var ev in BackendLogReader.Read(source, Options, Since, Until, stats, Cancel)) Write(ev);
            }
            catch (OperationCanceledException) { throw; }
            catch (BackendFormatException e)
            {
                WriteError(FormatNotDetected(e, source.ToString()));
            }
            catch (Exception e) when (source.IsJournalUnit && e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                WriteError(new ErrorRecord(e, "JournalReadFailed", ErrorCategory.ReadError, source.Name)
                {
                    ErrorDetails = new ErrorDetails($"Could not read the journal of {source.Name}: {e.Message}")
                    { RecommendedAction = "Run as root or as a member of systemd-journal or adm." },
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                WriteError(Internal.Errors.FromReadException(e, source.Name));
            }
            finally
            {
                WriteVerbose($"'{source}': {stats}.");
                Totals.Add(stats);
            }
        }
    }

    private void Write(BackendEvent ev)
    {
        if (_kinds is not null && !_kinds.Contains(ev.Kind)) return;
        if (_pids is not null && (ev.ProcessId is not int p || !_pids.Contains(p))) return;
        if (!InRange(ev.Time)) return;
        WriteObject(ev);
    }

    private static ErrorRecord FormatNotDetected(BackendFormatException e, string target) =>
        new(e, "BackendFormatNotDetected", ErrorCategory.InvalidData, target)
        {
            ErrorDetails = new ErrorDetails(e.Message)
            {
                RecommendedAction = "Name the format with -Backend (Gunicorn, PhpFpm, Uwsgi, Puma, Tomcat, Uvicorn, Node).",
            },
        };
}
