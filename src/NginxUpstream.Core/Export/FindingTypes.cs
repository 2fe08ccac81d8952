using NginxUpstream.Model;

namespace NginxUpstream.Export;

/// <summary>
/// The closed set of types a findings document may hold, keyed by the document's <c>type</c>
/// field. Import constructs nothing else: an unknown <c>type</c> is an error, never a type lookup.
/// </summary>
public static class FindingTypes
{
    private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal)
    {
        ["ResetDiagnosis"] = typeof(ResetDiagnosis),
        ["ConfigFinding"] = typeof(ConfigFinding),
        ["UpstreamError"] = typeof(UpstreamError),
        ["OomKill"] = typeof(OomKill),
        ["ProcessCrash"] = typeof(ProcessCrash),
        ["BackendEvent"] = typeof(BackendEvent),
        ["NginxDirective"] = typeof(NginxDirective),
    };

    /// <summary>Types that appear only nested inside a finding (their shape is known from the parent property).</summary>
    private static readonly HashSet<Type> Nested = new()
    {
        typeof(Hypothesis), typeof(DiagnosisEvidence), typeof(AffectedRequests), typeof(Recommendation),
    };

    /// <summary>The <c>type</c> values, in documentation order.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The type for a <c>type</c> value, or null when it is not in the set.</summary>
    public static Type? Resolve(string? name) => name is not null && ByName.TryGetValue(name, out var t) ? t : null;

    /// <summary>The <c>type</c> value of an exportable object, or null when it cannot be exported.</summary>
    public static string? NameOf(object value)
    {
        var t = value.GetType();
        foreach (var (k, v) in ByName) if (v == t) return k;
        return null;
    }

    internal static bool IsStructured(Type t) => ByName.ContainsValue(t) || Nested.Contains(t);
}
