using NginxUpstream.Analysis.Diagnosis.Hypotheses;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// Find-ResetCause's engine: groups the errors into incidents, scores every hypothesis on each
/// incident's evidence, and writes one <see cref="ResetDiagnosis"/> per incident. Below
/// <see cref="DiagnosisOptions.UnknownBelow"/> the cause stays Unknown, with the next step.
/// </summary>
public sealed class ResetDiagnoser
{
    /// <summary>Death rules first: they record the deaths the other rules weigh against.</summary>
    public static IReadOnlyList<HypothesisRule> DefaultRules { get; } = new HypothesisRule[]
    {
        new OomKillRule(), new WorkerTimeoutRule(), new BackendKilledRule(), new BackendCrashedRule(),
        new RequestBodyRejectedRule(), new StaleKeepaliveRule(), new BackendDownRule(), new BackendSlowRule(), new NetworkResetRule(),
    };

    private readonly DiagnosisOptions _options;
    private readonly IReadOnlyList<HypothesisRule> _rules;

    public ResetDiagnoser(DiagnosisOptions? options = null, IReadOnlyList<HypothesisRule>? rules = null)
    {
        _options = options ?? new DiagnosisOptions();
        _rules = rules ?? DefaultRules;
    }

    /// <summary>
    /// Diagnoses every incident in <paramref name="errors"/>. Records of <paramref name="errors"/>
    /// that are not failures (body-buffering warnings) are used as companions.
    /// </summary>
    public IEnumerable<ResetDiagnosis> Diagnose(IEnumerable<UpstreamError> errors, EvidenceSet evidence, CancellationToken cancel = default)
    {
        var failures = new List<UpstreamError>();
        foreach (var e in errors)
        {
            if (IncidentGrouper.IsConnectionFailure(e)) failures.Add(e);
            else if (e.Kind == UpstreamErrorKind.BodyBuffered) evidence.Companions.Add(e);
        }
        var incidents = IncidentGrouper.Group(failures, _options.BurstGap, cancel);
        var idx = new EvidenceIndexes(evidence);
        foreach (var incident in incidents)
        {
            cancel.ThrowIfCancellationRequested();
            yield return DiagnoseIncident(new IncidentContext(incident, _options, evidence, idx));
        }
    }

    public ResetDiagnosis DiagnoseIncident(IncidentContext ctx)
    {
        var results = new List<HypothesisResult>();
        foreach (var r in _rules)
            if (r.Evaluate(ctx) is { } res && res.Hypothesis.Score > 0) results.Add(res);
        results.Sort((a, b) => b.Hypothesis.Score.CompareTo(a.Hypothesis.Score));

        var top = results.FirstOrDefault();
        var known = top is not null && top.Hypothesis.Score >= _options.UnknownBelow;
        var cause = known ? top!.Hypothesis.Cause : ResetCause.Unknown;
        var confidence = 0.0;
        var level = ConfidenceLevel.None;
        if (known)
        {
            confidence = top!.Hypothesis.Score;
            // A close runner-up with another cause makes the verdict less sure.
            var second = results.Skip(1).FirstOrDefault(r => r.Hypothesis.Cause != cause);
            if (second is not null && second.Hypothesis.Score > confidence - 0.15)
                confidence -= 0.15 - (confidence - second.Hypothesis.Score);
            confidence = Math.Round(Math.Max(confidence, _options.UnknownBelow), 2);
            level = confidence >= 0.8 ? ConfidenceLevel.High : confidence >= 0.65 ? ConfidenceLevel.Medium : ConfidenceLevel.Low;
        }

        var (rec, next) = Recommendations.For(cause, ctx);
        var missing = !ctx.Evidence.KernelLogRead || !ctx.Evidence.BackendLogRead || !ctx.Evidence.ConfigRead;
        var nextStep = cause == ResetCause.Unknown || level != ConfidenceLevel.High && missing
            ? Recommendations.NextForUnknown(ctx)
            : next;

        var errs = ctx.Incident.Errors;
        var first = errs[0];
        return new ResetDiagnosis
        {
            Upstream = ctx.Incident.Upstream,
            UpstreamUrl = first.Upstream,
            Start = ctx.Incident.Start,
            End = ctx.Incident.End,
            ErrorCount = errs.Count,
            Kinds = errs.GroupBy(e => e.Kind).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => g.Key).ToArray(),
            Cause = cause,
            Confidence = confidence,
            ConfidenceLevel = level,
            Hypotheses = results.Select(r => r.Hypothesis).ToArray(),
            Evidence = WithBackendContext(MergeEvidence(results.Where(r => r.Hypothesis.Score >= 0.3 || r == top)), ctx),
            AffectedRequests = RetryReasoning.Affected(ctx, cause),
            ErrorSamples = errs.Take(10).Select(e => e.Origin).ToArray(),
            Recommendation = rec,
            NextStep = nextStep,
            SourcesConsidered = Considered(ctx),
        };
    }

    private static DiagnosisEvidence[] MergeEvidence(IEnumerable<HypothesisResult> results)
    {
        var byCitation = new Dictionary<string, DiagnosisEvidence>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var r in results)
            foreach (var e in r.Evidence)
            {
                if (byCitation.TryGetValue(e.Citation, out var prev))
                {
                    if (!prev.Supports.Contains(r.Hypothesis.Id))
                        byCitation[e.Citation] = new DiagnosisEvidence
                        {
                            Kind = prev.Kind, Source = prev.Source, LineNumber = prev.LineNumber, Citation = prev.Citation, Time = prev.Time,
                            Summary = prev.Summary, Line = prev.Line, Supports = prev.Supports.Append(r.Hypothesis.Id).ToArray(),
                        };
                    continue;
                }
                byCitation[e.Citation] = e;
                order.Add(e.Citation);
            }
        return order.Select(c => byCitation[c]).ToArray();
    }

    /// <summary>Backend errors and warnings the rules did not cite.</summary>
    private const int MaxBackendContext = 5;

    /// <summary>
    /// Adds what the backend logged as an error or warning inside the window and no rule cited:
    /// context an operator reads next to the verdict (an application's "body over the limit,
    /// closing"), supporting no hypothesis.
    /// </summary>
    private static DiagnosisEvidence[] WithBackendContext(DiagnosisEvidence[] cited, IncidentContext ctx)
    {
        var seen = new HashSet<string>(cited.Select(c => c.Citation), StringComparer.Ordinal);
        var context = ctx.BackendEvents
            .Where(b => b.Kind is BackendEventKind.Error or BackendEventKind.Warning && seen.Add(b.Origin))
            .Take(MaxBackendContext)
            .Select(b => new DiagnosisEvidence
            {
                Kind = nameof(BackendEvent), Source = b.Source, LineNumber = b.LineNumber, Citation = b.Origin, Time = b.Time,
                Summary = $"{b.Backend} logged {(b.Kind == BackendEventKind.Error ? "an error" : "a warning")} at the time: {b.Detail}",
                Line = b.Line,
            });
        return cited.Concat(context).ToArray();
    }

    private static string[] Considered(IncidentContext ctx)
    {
        var ev = ctx.Evidence;
        return new[]
        {
            $"nginx error log: {ctx.ErrorCount} connection errors toward {ctx.Incident.Upstream}, {ctx.BodyTies.Count} tied to buffered request bodies",
            ev.KernelLogRead ? $"kernel log: {ctx.OomKills.Count} OOM kills and {ctx.Crashes.Count} crashes in the window ({ev.OomKills.Count} and {ev.Crashes.Count} in total)" : "kernel log: not read",
            ev.BackendLogRead ? $"backend log: {ctx.BackendEvents.Count} events in the window ({ev.BackendEvents.Count} in total)" : "backend log: not read",
            ev.ConfigRead ? $"nginx config: {ctx.ConfigFindings.Count} findings for this upstream{(ctx.UpstreamBlock is null ? "" : $" (upstream {ctx.UpstreamBlock})")}" : "nginx config: not read",
        };
    }
}
