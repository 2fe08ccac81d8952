using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// One incident with the evidence inside its time window (start - skew .. end + skew), and the
/// helpers the hypothesis rules share: errors explained by an event, body-buffering ties by *N,
/// the upstream's config.
/// </summary>
public sealed class IncidentContext
{
    private static readonly HashSet<string> NonIdempotent = new(StringComparer.OrdinalIgnoreCase) { "POST", "PATCH", "LOCK" };

    internal IncidentContext(Incident incident, DiagnosisOptions options, EvidenceSet evidence, EvidenceIndexes idx)
    {
        Incident = incident;
        Options = options;
        Evidence = evidence;
        var from = incident.Start - options.Skew;
        var to = incident.End + options.Skew;
        OomKills = idx.Ooms.Between(from, to).ToList();
        Crashes = idx.Crashes.Between(from, to).ToList();
        BackendEvents = idx.Backend.Between(from, to).ToList();
        Matcher = new ProcessMatcher(options, idx.BackendPids);
        UpstreamBlock = idx.Config.BlockFor(incident.Errors[0]);
        ConfigFindings = idx.Config.FindingsFor(UpstreamBlock, incident.Upstream);
        UpstreamDirectives = UpstreamBlock is null ? null : idx.Config.Blocks.GetValueOrDefault(UpstreamBlock);
        BodyTies = FindBodyTies(incident, idx.BodyByConnection);
    }

    public Incident Incident { get; }
    public DiagnosisOptions Options { get; }
    public EvidenceSet Evidence { get; }
    public IReadOnlyList<OomKill> OomKills { get; }
    public IReadOnlyList<ProcessCrash> Crashes { get; }
    public IReadOnlyList<BackendEvent> BackendEvents { get; }
    public ProcessMatcher Matcher { get; }
    /// <summary>The upstream{} block name the errors' peer belongs to, when the config was read.</summary>
    public string? UpstreamBlock { get; }
    public NginxDirective? UpstreamDirectives { get; }
    public IReadOnlyList<ConfigFinding> ConfigFindings { get; }
    /// <summary>Errors tied by connection id to an earlier "client request body is buffered to a temporary file" warning.</summary>
    public IReadOnlyDictionary<UpstreamError, UpstreamError> BodyTies { get; }

    /// <summary>Times of backend deaths in the window (filled by the death rules, read by the others).</summary>
    public List<DateTimeOffset> DeathTimes { get; } = new();

    public int ErrorCount => Incident.Errors.Count;

    public static bool IsNonIdempotent(string? method) => method is not null && NonIdempotent.Contains(method);

    /// <summary>Kinds a dying worker produces: RST (104, 32) or FIN (prematurely closed).</summary>
    public static bool IsAbruptClose(UpstreamError e) =>
        e.Kind is UpstreamErrorKind.Reset or UpstreamErrorKind.PrematureClose or UpstreamErrorKind.BrokenPipe || e.ErrnoName is "ECONNRESET" or "EPIPE";

    /// <summary>Errors within the skew of <paramref name="t"/>; optionally only those passing <paramref name="filter"/>.</summary>
    public int ErrorsNear(DateTimeOffset t, Func<UpstreamError, bool>? filter = null) =>
        Incident.CountBetween(t - Options.Skew, t + Options.Skew, filter);

    /// <summary>Errors within the skew of any of <paramref name="times"/> (each error counted once).</summary>
    public int ErrorsNearAny(IEnumerable<DateTimeOffset> times, Func<UpstreamError, bool>? filter = null)
    {
        var ts = times.Select(t => t.UtcTicks).OrderBy(t => t).ToArray();
        if (ts.Length == 0) return 0;
        var skew = Options.Skew.Ticks;
        var n = 0;
        foreach (var e in Incident.Errors)
        {
            if (filter is not null && !filter(e)) continue;
            var i = Incident.LowerBound(ts, e.Time.UtcTicks - skew);
            if (i < ts.Length && ts[i] <= e.Time.UtcTicks + skew) n++;
        }
        return n;
    }

    /// <summary>How many errors are abrupt closes (the kinds a death explains).</summary>
    public int AbruptCount => _abrupt ??= Incident.Errors.Count(IsAbruptClose);
    private int? _abrupt;

    private static Dictionary<UpstreamError, UpstreamError> FindBodyTies(Incident incident, Dictionary<long, List<UpstreamError>> bodies)
    {
        var ties = new Dictionary<UpstreamError, UpstreamError>(ReferenceEqualityComparer.Instance);
        if (bodies.Count == 0) return ties;
        foreach (var e in incident.Errors)
        {
            if (e.ConnectionId is not long id || !bodies.TryGetValue(id, out var list)) continue;
            // The warning comes first, on the same client connection, for the same request line.
            var w = list.LastOrDefault(b => b.Time <= e.Time + TimeSpan.FromSeconds(1) && e.Time - b.Time <= TimeSpan.FromMinutes(10)
                                              && (b.Request is null || e.Request is null || b.Request == e.Request));
            if (w is not null) ties[e] = w;
        }
        return ties;
    }
}

/// <summary>The evidence, indexed once for all incidents.</summary>
internal sealed class EvidenceIndexes
{
    public EvidenceIndexes(EvidenceSet set)
    {
        Ooms = new TimeIndex<OomKill>(set.OomKills, o => o.Time);
        Crashes = new TimeIndex<ProcessCrash>(set.Crashes, c => c.Time);
        Backend = new TimeIndex<BackendEvent>(set.BackendEvents, b => b.Time);
        Config = new ConfigIndex(set.Directives, set.ConfigFindings);
        BackendPids = ProcessMatcher.PidsOf(set.BackendEvents);
        foreach (var c in set.Companions)
        {
            if (c.Kind != UpstreamErrorKind.BodyBuffered || c.ConnectionId is not long id) continue;
            if (!BodyByConnection.TryGetValue(id, out var l)) BodyByConnection[id] = l = new List<UpstreamError>();
            l.Add(c);
        }
        foreach (var l in BodyByConnection.Values) l.Sort((a, b) => a.Time.CompareTo(b.Time));
    }

    public TimeIndex<OomKill> Ooms { get; }
    public TimeIndex<ProcessCrash> Crashes { get; }
    public TimeIndex<BackendEvent> Backend { get; }
    public ConfigIndex Config { get; }
    public Dictionary<int, BackendEvent> BackendPids { get; }
    public Dictionary<long, List<UpstreamError>> BodyByConnection { get; } = new();
}
