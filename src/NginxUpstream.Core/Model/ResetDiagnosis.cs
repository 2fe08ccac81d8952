namespace NginxUpstream.Model;

/// <summary>What made the upstream connection fail (DESIGN.md "Causes").</summary>
public enum ResetCause
{
    BackendOomKilled, BackendKilled, BackendCrashed, BackendWorkerTimeout, StaleKeepalive,
    RequestBodyRejected, BackendDown, BackendSlow, NetworkReset, Unknown,
}

/// <summary>How sure the verdict is, from the winning hypothesis' score and its lead over the runner-up.</summary>
public enum ConfidenceLevel { None, Low, Medium, High }

/// <summary>One candidate explanation, scored from the evidence (Analysis/Diagnosis/Hypotheses).</summary>
public sealed class Hypothesis
{
    /// <summary>Stable id of the scoring rule, e.g. RC-OOM.</summary>
    public string Id { get; init; } = "";
    public ResetCause Cause { get; init; }
    /// <summary>0..1.</summary>
    public double Score { get; init; }
    /// <summary>Why, in one sentence.</summary>
    public string Reason { get; init; } = "";
    /// <summary>Source:LineNumber of the evidence this hypothesis rests on.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = Array.Empty<string>();
    /// <summary>How many of the incident's errors fall within the skew of that evidence.</summary>
    public int ErrorsExplained { get; init; }

    public override string ToString() => $"{Cause} {Score:0.00} [{Id}] {Reason}";
}

/// <summary>A record cited by a diagnosis.</summary>
public sealed class DiagnosisEvidence
{
    /// <summary>The record type: OomKill, ProcessCrash, BackendEvent, UpstreamError, ConfigFinding.</summary>
    public string Kind { get; init; } = "";
    public string? Source { get; init; }
    public long LineNumber { get; init; }
    /// <summary>"source:line".</summary>
    public string Citation { get; init; } = "";
    public DateTimeOffset? Time { get; init; }
    /// <summary>One line saying what the record shows.</summary>
    public string Summary { get; init; } = "";
    /// <summary>The raw text of the record.</summary>
    public string? Line { get; init; }
    /// <summary>Ids of the hypotheses that use it.</summary>
    public IReadOnlyList<string> Supports { get; init; } = Array.Empty<string>();

    public override string ToString() => $"{Citation}: {Summary}";
}

/// <summary>Errors of an incident by request method and the status the client most likely got.</summary>
public sealed class AffectedRequests
{
    /// <summary>GET, POST, ... or "-" when the line had no request.</summary>
    public string Method { get; init; } = "";
    /// <summary>"502", "504", or "retried" (idempotent request on a reused connection: nginx tried again, the client status is not in error.log).</summary>
    public string Status { get; init; } = "";
    public int Count { get; init; }

    public override string ToString() => $"{Method} {Status} x{Count}";
}

/// <summary>What to change, with the exact directives and commands.</summary>
public sealed class Recommendation
{
    public string Summary { get; init; } = "";
    public IReadOnlyList<string> Steps { get; init; } = Array.Empty<string>();
    /// <summary>Exact config lines or command lines to apply.</summary>
    public IReadOnlyList<string> Changes { get; init; } = Array.Empty<string>();

    public override string ToString() => Summary;
}

/// <summary>
/// The verdict for one incident: a burst of upstream connection errors toward one upstream,
/// with the evidence-based cause, how sure it is, the ranked alternatives and the fix.
/// </summary>
public sealed class ResetDiagnosis
{
    /// <summary>The upstream peer (host:port or unix socket), as nginx logged it.</summary>
    public string Upstream { get; init; } = "";
    /// <summary>The upstream URL of the first error (scheme, peer and URI).</summary>
    public string? UpstreamUrl { get; init; }
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    public int ErrorCount { get; init; }
    /// <summary>Error kinds present, most frequent first.</summary>
    public IReadOnlyList<UpstreamErrorKind> Kinds { get; init; } = Array.Empty<UpstreamErrorKind>();
    public ResetCause Cause { get; init; }
    /// <summary>0..1: the winning score, lowered when the runner-up is close.</summary>
    public double Confidence { get; init; }
    public ConfidenceLevel ConfidenceLevel { get; init; }
    /// <summary>Every hypothesis that scored, best first.</summary>
    public IReadOnlyList<Hypothesis> Hypotheses { get; init; } = Array.Empty<Hypothesis>();
    public IReadOnlyList<DiagnosisEvidence> Evidence { get; init; } = Array.Empty<DiagnosisEvidence>();
    public IReadOnlyList<AffectedRequests> AffectedRequests { get; init; } = Array.Empty<AffectedRequests>();
    /// <summary>Source:LineNumber of the incident's first errors (at most 10).</summary>
    public IReadOnlyList<string> ErrorSamples { get; init; } = Array.Empty<string>();
    public Recommendation? Recommendation { get; init; }
    /// <summary>What to look at next: always set for Unknown, and whenever evidence was missing.</summary>
    public string? NextStep { get; init; }
    /// <summary>Which evidence sources were consulted and what they held.</summary>
    public IReadOnlyList<string> SourcesConsidered { get; init; } = Array.Empty<string>();

    public override string ToString() =>
        $"{Upstream} {Start:yyyy-MM-dd HH:mm:ss}..{End:HH:mm:ss} {ErrorCount} errors: {Cause} ({ConfidenceLevel} {Confidence:0.00})";
}
