using System.Management.Automation;
using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Internal;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Groups upstream connection errors into incidents (bursts per upstream) and names the cause of
/// each from the evidence: kernel OOM kills and crashes, backend log events, the nginx
/// configuration and its keepalive findings, body-buffering warnings on the same connection.
/// Evidence comes from this host by default, from -Evidence objects, or from an -IncidentPath
/// bundle copied from another host.
/// </summary>
[Cmdlet(VerbsCommon.Find, "ResetCause", DefaultParameterSetName = HostSet)]
[OutputType(typeof(ResetDiagnosis))]
public sealed class FindResetCauseCommand : DiagnosisCommandBase
{
    private const string HostSet = "Host";
    private const string EvidenceSetName = "Evidence";
    private const string BundleSet = "IncidentPath";

    private readonly List<UpstreamError> _errors = new();
    private bool _sawInput;

    /// <summary>nginx error.log records, usually from Get-NginxUpstreamError -All.</summary>
    [Parameter(ValueFromPipeline = true)]
    public UpstreamError[]? InputObject { get; set; }

    /// <summary>Evidence records for offline analysis (OomKill, ProcessCrash, BackendEvent, ConfigFinding, NginxDirective, UpstreamError warnings). Host evidence is then not read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EvidenceSetName)]
    [AllowEmptyCollection]
    public object[]? Evidence { get; set; }

    /// <summary>A folder of files copied from the affected host; each file is recognised by its content.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BundleSet)]
    [Alias("Bundle")]
    [ValidateNotNullOrEmpty]
    public string? IncidentPath { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _sawInput = true;
        foreach (var e in InputObject) if (e is not null) _errors.Add(e);
    }

    protected override void EndProcessing()
    {
        var collector = Collector();
        var evidence = new EvidenceSet();
        List<BundleFile>? bundle = null;

        if (ParameterSetName == BundleSet)
        {
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(IncidentPath!, out var provider, out _);
            if (provider.Name != "FileSystem" || !Directory.Exists(folder))
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"'{IncidentPath}' is not a folder."),
                    "IncidentPathNotFound", ErrorCategory.ObjectNotFound, IncidentPath));
            bundle = IncidentBundle.Classify(folder);
            foreach (var f in bundle) WriteVerbose($"{f.Path}: {IncidentBundle.Describe(f.Kind)} ({f.Why}).");
        }

        if (!_sawInput)
        {
            if (bundle is not null)
            {
                var logs = bundle.Where(f => f.Kind == BundleFileKind.NginxErrorLog).Select(f => f.Path).ToArray();
                if (logs.Length == 0)
                    WriteError(new ErrorRecord(new FileNotFoundException($"No nginx error log found in '{IncidentPath}'."),
                        "NoErrorLogInBundle", ErrorCategory.ObjectNotFound, IncidentPath));
                else _errors.AddRange(collector.ErrorsFromFiles(logs));
            }
            else _errors.AddRange(collector.ErrorsFromFiles(null));
        }
        if (Stopping) return;
        if (!_errors.Any(IncidentGrouper.IsConnectionFailure))
        {
            WriteWarning(_sawInput
                ? $"None of the {_errors.Count} error.log records is an upstream connection failure: nothing to diagnose."
                : $"No upstream connection failures found in {(bundle is null ? "the default nginx error log (/var/log/nginx/error.log and its rotated files)" : "'" + IncidentPath + "'")}: nothing to diagnose.");
            return;
        }

        switch (ParameterSetName)
        {
            case EvidenceSetName:
                foreach (var o in Evidence!)
                {
                    var v = o is PSObject p ? p.BaseObject : o;
                    if (v is null) continue;
                    if (!evidence.Add(v))
                        WriteError(new ErrorRecord(new ArgumentException($"A {v.GetType().FullName} is not evidence Find-ResetCause can use."),
                            "UnsupportedEvidence", ErrorCategory.InvalidArgument, o));
                }
                break;
            case BundleSet:
                collector.FromBundle(evidence, bundle!);
                break;
            default:
                collector.AroundFailures(evidence, _errors.Where(IncidentGrouper.IsConnectionFailure).ToList());
                break;
        }
        evidence.DedupeKernel();
        WriteVerbose($"Evidence: {_errors.Count} error.log records, {evidence.OomKills.Count} OOM kills, {evidence.Crashes.Count} crashes, {evidence.BackendEvents.Count} backend events, {evidence.ConfigFindings.Count} config findings, {evidence.Directives.Count} config directives.");

        var options = Options();
        var count = 0;
        try
        {
            foreach (var d in Diagnose(options, evidence))
            {
                WriteObject(d);
                count++;
            }
        }
        catch (OperationCanceledException) when (Stopping || Cancel.IsCancellationRequested) { }
        WriteVerbose($"{count} incident(s) diagnosed.");
    }

    private IEnumerable<ResetDiagnosis> Diagnose(DiagnosisOptions options, EvidenceSet evidence) =>
        new ResetDiagnoser(options).Diagnose(_errors, evidence, Cancel.Token);

}
