using System.Globalization;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>What Invoke-NginxResetDiagnosis gathered, for <see cref="ResetReportBuilder"/>.</summary>
public sealed class ResetReportInput
{
    public string Host { get; init; } = "";
    public DateTimeOffset Generated { get; init; }
    public DateTimeOffset Since { get; init; }
    public DateTimeOffset Until { get; init; }
    public IReadOnlyList<string> ErrorLogSources { get; init; } = Array.Empty<string>();
    /// <summary>Every error.log record read for the window (non-upstream ones are not counted).</summary>
    public IReadOnlyList<UpstreamError> Errors { get; init; } = Array.Empty<UpstreamError>();
    public IReadOnlyList<ResetDiagnosis> Diagnoses { get; init; } = Array.Empty<ResetDiagnosis>();
    public IReadOnlyList<ConfigFinding> ConfigFindings { get; init; } = Array.Empty<ConfigFinding>();
    public IReadOnlyList<UpstreamProbe> Probes { get; init; } = Array.Empty<UpstreamProbe>();
}

/// <summary>
/// Turns the diagnosis of a window into one <see cref="NginxResetReport"/>: the error summary
/// rows, the top cause (of the incident with the most failures) and the sentence an operator
/// reads first.
/// </summary>
public static class ResetReportBuilder
{
    /// <summary>Incidents named in the sentence; the rest are counted.</summary>
    public const int IncidentsInSummary = 3;

    public static NginxResetReport Build(ResetReportInput input)
    {
        var upstreamErrors = input.Errors.Where(e => e.IsUpstreamRelated || IncidentGrouper.IsConnectionFailure(e)).ToList();
        var failures = upstreamErrors.Count(IncidentGrouper.IsConnectionFailure);
        var diagnoses = input.Diagnoses.OrderBy(d => d.Start).ThenBy(d => d.Upstream, StringComparer.Ordinal).ToArray();
        var top = Top(diagnoses);
        return new NginxResetReport
        {
            Host = input.Host,
            Generated = input.Generated,
            Since = input.Since,
            Until = input.Until,
            ErrorLogSources = input.ErrorLogSources.ToArray(),
            ErrorCount = upstreamErrors.Count,
            ConnectionFailureCount = failures,
            ErrorSummary = SummaryRows(upstreamErrors),
            Diagnoses = diagnoses,
            ConfigFindings = input.ConfigFindings.ToArray(),
            Probes = input.Probes.ToArray(),
            TopCause = top?.Cause ?? ResetCause.Unknown,
            TopConfidence = top?.Confidence ?? 0,
            Summary = Sentence(input, diagnoses, upstreamErrors.Count, failures),
        };
    }

    /// <summary>Rows per upstream and kind: connection failures first, then the most frequent.</summary>
    public static ErrorSummaryRow[] SummaryRows(IEnumerable<UpstreamError> errors) =>
        errors.GroupBy(e => (Upstream: IncidentGrouper.UpstreamKey(e), e.Kind))
            .Select(g => new ErrorSummaryRow
            {
                UpstreamAddress = g.Key.Upstream, Kind = g.Key.Kind, Count = g.Count(),
                First = g.Min(e => e.Time), Last = g.Max(e => e.Time),
                IsConnectionFailure = g.Any(IncidentGrouper.IsConnectionFailure),
            })
            .OrderByDescending(r => r.IsConnectionFailure).ThenByDescending(r => r.Count)
            .ThenBy(r => r.UpstreamAddress, StringComparer.Ordinal).ThenBy(r => r.Kind)
            .ToArray();

    /// <summary>The incident with the most failures; on a tie the surer verdict, then the earlier one.</summary>
    public static ResetDiagnosis? Top(IEnumerable<ResetDiagnosis> diagnoses) => ByWeight(diagnoses).FirstOrDefault();

    /// <summary>Most failures first; on a tie the surer verdict, then the earlier one (the order of <see cref="Top"/> and the sentence).</summary>
    private static IOrderedEnumerable<ResetDiagnosis> ByWeight(IEnumerable<ResetDiagnosis> diagnoses) =>
        diagnoses.OrderByDescending(d => d.ErrorCount).ThenByDescending(d => d.Confidence).ThenBy(d => d.Start);

    private static string Sentence(ResetReportInput input, IReadOnlyList<ResetDiagnosis> diagnoses, int errors, int failures)
    {
        if (diagnoses.Count == 0)
        {
            var others = errors - failures;
            return $"No upstream connection failures between {Stamp(input.Since)} and {Stamp(input.Until)}" +
                (others > 0 ? $" ({Plural(others, "other upstream error.log record")})." : ".");
        }
        var upstreams = diagnoses.Select(d => d.Upstream).Distinct(StringComparer.Ordinal).Count();
        var named = ByWeight(diagnoses).Take(IncidentsInSummary).Select(Describe).ToList();
        if (diagnoses.Count > IncidentsInSummary) named.Add($"and {diagnoses.Count - IncidentsInSummary} more");
        var text = $"{Plural(diagnoses.Count, "incident")} on {Plural(upstreams, "upstream")} {Window(input.Since, input.Until, input.Generated)}: {string.Join("; ", named)}";
        if (input.Probes.Count > 0) text += "; probe " + string.Join(", ", input.Probes.Select(ProbeResult));
        return text + ".";
    }

    private static string Describe(ResetDiagnosis d) =>
        (d.Cause == ResetCause.Unknown ? "Unknown cause" : string.Create(CultureInfo.InvariantCulture, $"{d.Cause} ({d.Confidence:0.00})")) +
        $" on {d.Upstream} ({Plural(d.ErrorCount, "failure")})";

    private static string ProbeResult(UpstreamProbe p) =>
        p.Status is { } s ? $"{p.Upstream} answered {s}"
        : p.ErrnoName is { } n ? $"{p.Upstream} failed ({n})"
        : $"{p.Upstream} failed ({p.Error ?? "no response"})";

    /// <summary>"in the last hour" when the window ends now, else "between ... and ...".</summary>
    public static string Window(DateTimeOffset since, DateTimeOffset until, DateTimeOffset now)
    {
        if ((until - now).Duration() > TimeSpan.FromMinutes(1) || until < since)
            return $"between {Stamp(since)} and {Stamp(until)}";
        var d = until - since;
        if ((d - TimeSpan.FromHours(1)).Duration() <= TimeSpan.FromMinutes(1)) return "in the last hour";
        if (d < TimeSpan.FromHours(2)) return $"in the last {Plural((int)Math.Round(d.TotalMinutes), "minute")}";
        if (d < TimeSpan.FromHours(48)) return $"in the last {Plural((int)Math.Round(d.TotalHours), "hour")}";
        return $"in the last {Plural((int)Math.Round(d.TotalDays), "day")}";
    }

    private static string Stamp(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Plural(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
