using System.Globalization;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis.Hypotheses;

/// <summary>A scored hypothesis with the records it cites.</summary>
public sealed record HypothesisResult(Hypothesis Hypothesis, IReadOnlyList<DiagnosisEvidence> Evidence);

/// <summary>
/// One candidate cause. A rule looks at an incident's evidence and returns a score in 0..1 with
/// a one-sentence reason, or null when nothing supports it. Ids are stable (they appear in YAML).
/// </summary>
public abstract class HypothesisRule
{
    public abstract string Id { get; }
    public abstract ResetCause Cause { get; }

    public abstract HypothesisResult? Evaluate(IncidentContext ctx);

    protected HypothesisResult Result(double score, string reason, IReadOnlyList<DiagnosisEvidence> evidence, int explained) =>
        new(new Hypothesis
        {
            Id = Id, Cause = Cause, Score = Math.Round(Math.Clamp(score, 0, 0.99), 2), Reason = Sentence(reason),
            Evidence = evidence.Select(e => e.Citation).Distinct().ToArray(), ErrorsExplained = explained,
        }, evidence);

    protected DiagnosisEvidence Cite(LogRecord r, DateTimeOffset? time, string summary) => new()
    {
        Kind = r.GetType().Name, Source = r.Source, LineNumber = r.LineNumber, Citation = r.Origin, Time = time,
        Summary = summary, Line = r.Line, Supports = new[] { Id },
    };

    protected DiagnosisEvidence Cite(ConfigFinding f) => new()
    {
        Kind = nameof(ConfigFinding), Source = f.File, LineNumber = f.Line, Citation = f.Line > 0 ? $"{f.File}:{f.Line}" : f.File ?? f.RuleId,
        Summary = $"[{f.RuleId}] {f.Title}", Line = f.Fix, Supports = new[] { Id },
    };

    /// <summary>"3 of 5 errors".</summary>
    protected static string OfErrors(int k, int n) => k == n ? (n == 1 ? "the error" : $"all {n} errors") : $"{k} of {n} errors";

    /// <summary>"is" or "are" for <paramref name="k"/> errors.</summary>
    protected static string Are(int k) => k == 1 ? "is" : "are";

    /// <summary>Capitalises the sentences that open with OfErrors ("the error", "all 3 errors"); names stay as the logs spell them.</summary>
    private static string Sentence(string s) =>
        s.StartsWith("the ", StringComparison.Ordinal) || s.StartsWith("all ", StringComparison.Ordinal) ? char.ToUpperInvariant(s[0]) + s[1..] : s;

    protected static string Clock(DateTimeOffset t) => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The score of an event that explains <paramref name="explained"/> of <paramref name="total"/> errors.</summary>
    protected static double Coverage(int explained, int total) => total == 0 ? 0 : (double)explained / total;
}
