using System.Management.Automation;
using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Internal;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Probing;
using NginxUpstream.Sources;

namespace NginxUpstream.Commands;

/// <summary>
/// The whole diagnostic sequence on this host in one object: reads the nginx error log for a
/// window, gathers the host evidence as Find-ResetCause does (kernel log, backend logs, nginx
/// config and its keepalive findings), diagnoses every incident, optionally probes each failing
/// upstream once, and writes one <see cref="NginxResetReport"/>. Writes no files.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NginxResetDiagnosis")]
[OutputType(typeof(NginxResetReport))]
public sealed class InvokeNginxResetDiagnosisCommand : DiagnosisCommandBase
{
    /// <summary>nginx error log file(s) to read (wildcards allowed). Default: /var/log/nginx/error.log and its rotated files.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ErrorLogPath { get; set; }

    /// <summary>Start of the window: a DateTime, or a TimeSpan meaning that long ago. Default: one hour ago.</summary>
    [Parameter]
    [TimeBoundTransformation]
    public DateTimeOffset? Since { get; set; }

    /// <summary>End of the window: a DateTime, or a TimeSpan meaning that long ago. Default: now.</summary>
    [Parameter]
    [TimeBoundTransformation]
    public DateTimeOffset? Until { get; set; }

    /// <summary>Probe each distinct upstream of the failures once with Test-NginxUpstream's engine (GET /, no idle probe).</summary>
    [Parameter]
    public SwitchParameter Probe { get; set; }

    protected override void EndProcessing()
    {
        var now = DateTimeOffset.Now;
        var since = Since ?? now.AddHours(-1);
        var until = Until ?? now;
        if (since > until)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Since ({since:yyyy-MM-dd HH:mm:ss zzz}) is after -Until ({until:yyyy-MM-dd HH:mm:ss zzz})."),
                "InvalidTimeWindow", ErrorCategory.InvalidArgument, since));

        var parameters = new Dictionary<string, object?> { ["All"] = SwitchParameter.Present, ["Since"] = since, ["Until"] = until };
        IReadOnlyList<string> sources;
        if (ErrorLogPath is not null)
        {
            sources = PathResolver.Resolve(this, ErrorLogPath, literal: false);
            if (sources.Count == 0) return; // each missing path was reported; a "no failures" report would mislead
            parameters["LiteralPath"] = sources.ToArray();
        }
        else
        {
            var set = RotatedLogSet.Expand(NginxErrorLogReader.DefaultPath);
            if (set.Count == 0)
            {
                WriteError(Errors.FileNotFound(NginxErrorLogReader.DefaultPath, NginxErrorLogReader.DefaultPath));
                return;
            }
            // Get-NginxUpstreamError skips the rotated files that end before -Since: list only those it reads.
            sources = new NginxErrorLogReader { Since = since, TimeZone = TimeZone ?? TimeZoneInfo.Local }.FilesNeeded(set);
        }
        WriteVerbose($"Window {since:yyyy-MM-dd HH:mm:ss zzz} .. {until:yyyy-MM-dd HH:mm:ss zzz}; nginx error log: {string.Join(", ", sources)}.");

        var collector = Collector();
        var records = collector.Run("Get-NginxUpstreamError", parameters, "nginx error log");
        if (records is null || Stopping) return;
        var errors = records.OfType<UpstreamError>().ToList();
        var failures = errors.Where(IncidentGrouper.IsConnectionFailure).ToList();
        WriteVerbose($"nginx error log: {errors.Count} record(s) in the window, {failures.Count} upstream connection failure(s).");

        // Host evidence as Find-ResetCause's host mode gathers it: around the failures, else the window (config findings still count).
        var evidence = new EvidenceSet();
        if (failures.Count > 0) collector.AroundFailures(evidence, failures);
        else collector.FromHost(evidence, since, until);
        evidence.DedupeKernel();
        WriteVerbose($"Evidence: {evidence.OomKills.Count} OOM kills, {evidence.Crashes.Count} crashes, {evidence.BackendEvents.Count} backend events, {evidence.ConfigFindings.Count} config findings, {evidence.Directives.Count} config directives.");
        if (Stopping) return;

        List<ResetDiagnosis> diagnoses;
        try { diagnoses = new ResetDiagnoser(Options()).Diagnose(errors, evidence, Cancel.Token).ToList(); }
        catch (OperationCanceledException) { return; }
        WriteVerbose($"{diagnoses.Count} incident(s) diagnosed.");

        var probes = Probe ? ProbeUpstreams(diagnoses) : new List<UpstreamProbe>();
        if (Stopping) return;

        var report = ResetReportBuilder.Build(new ResetReportInput
        {
            Host = Environment.MachineName, Generated = DateTimeOffset.Now, Since = since, Until = until,
            ErrorLogSources = sources, Errors = errors, Diagnoses = diagnoses, ConfigFindings = evidence.ConfigFindings, Probes = probes,
        });
        if (diagnoses.Count == 0) WriteWarning(report.Summary + " Nothing to diagnose.");
        WriteObject(report);
    }

    /// <summary>Each distinct upstream once; one that cannot be probed becomes a probe row with the error.</summary>
    private List<UpstreamProbe> ProbeUpstreams(IEnumerable<ResetDiagnosis> diagnoses)
    {
        var probes = new List<UpstreamProbe>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in diagnoses)
        {
            if (Stopping) break;
            var problem = ProbeTarget.TryParse(d.Upstream, out var target);
            if (problem != ProbeTargetProblem.None && d.UpstreamUrl is { } url) problem = ProbeTarget.TryParse(url, out target);
            if (problem != ProbeTargetProblem.None)
            {
                if (seen.Add("!" + d.Upstream))
                    probes.Add(new UpstreamProbe { Upstream = d.Upstream, Time = DateTimeOffset.UtcNow, Error = $"not probed: '{d.Upstream}' is not an address Test-NginxUpstream can reach ({problem})" });
                continue;
            }
            if (!seen.Add(target!.Key)) continue;
            // "/" rather than the logged URI: a probe must not replay a client's request.
            try { probes.Add(UpstreamProber.Probe(target, new ProbeOptions { Path = "/" }, WriteVerbose, Cancel.Token)); }
            catch (OperationCanceledException) { break; }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                probes.Add(new UpstreamProbe { Upstream = d.Upstream, Time = DateTimeOffset.UtcNow, Error = e.Message });
            }
        }
        return probes;
    }

}
