namespace NginxUpstream.Model;

/// <summary>error.log records of one kind toward one upstream in the report's window.</summary>
public sealed record ErrorSummaryRow
{
    /// <summary>The upstream peer (host:port or unix socket), as grouping uses it.</summary>
    public string UpstreamAddress { get; init; } = "";
    public UpstreamErrorKind Kind { get; init; }
    public int Count { get; init; }
    public DateTimeOffset First { get; init; }
    public DateTimeOffset Last { get; init; }
    /// <summary>Whether this kind is an upstream connection failure (what the diagnosis groups into incidents).</summary>
    public bool IsConnectionFailure { get; init; }

    public override string ToString() => $"{UpstreamAddress} {Kind} x{Count} ({First:HH:mm:ss}..{Last:HH:mm:ss})";
}

/// <summary>
/// Invoke-NginxResetDiagnosis's one object: what was read on this host for a window, the
/// incidents with their causes, the config findings, the optional probes, and one sentence.
/// </summary>
public sealed class NginxResetReport
{
    /// <summary>The machine the report was made on.</summary>
    public string Host { get; init; } = "";
    public DateTimeOffset Generated { get; init; }
    public DateTimeOffset Since { get; init; }
    public DateTimeOffset Until { get; init; }
    /// <summary>The error log files read.</summary>
    public IReadOnlyList<string> ErrorLogSources { get; init; } = Array.Empty<string>();
    /// <summary>Upstream-related error.log records in the window.</summary>
    public int ErrorCount { get; init; }
    /// <summary>Of those, upstream connection failures (resets, premature closes, refused, timed out...).</summary>
    public int ConnectionFailureCount { get; init; }
    /// <summary>Rows per upstream and kind, failures first, most frequent first.</summary>
    public IReadOnlyList<ErrorSummaryRow> ErrorSummary { get; init; } = Array.Empty<ErrorSummaryRow>();
    /// <summary>One per incident, in time order.</summary>
    public IReadOnlyList<ResetDiagnosis> Diagnoses { get; init; } = Array.Empty<ResetDiagnosis>();
    public int IncidentCount => Diagnoses.Count;
    /// <summary>The nginx configuration's keepalive findings (all upstreams).</summary>
    public IReadOnlyList<ConfigFinding> ConfigFindings { get; init; } = Array.Empty<ConfigFinding>();
    /// <summary>One per distinct upstream of the failures, with -Probe; empty otherwise.</summary>
    public IReadOnlyList<UpstreamProbe> Probes { get; init; } = Array.Empty<UpstreamProbe>();
    /// <summary>The cause of the incident with the most failures; Unknown without incidents.</summary>
    public ResetCause TopCause { get; init; } = ResetCause.Unknown;
    public double TopConfidence { get; init; }
    /// <summary>One sentence for the operator.</summary>
    public string Summary { get; init; } = "";

    public override string ToString() => Summary;
}
