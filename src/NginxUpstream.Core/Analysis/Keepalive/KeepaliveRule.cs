using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive;

/// <summary>What a rule sees: the model, the version regime, the backend profiles.</summary>
public sealed class RuleContext
{
    public static readonly Version DefaultKeepaliveVersion = new(1, 29, 7);

    public required ConfigModel Model { get; init; }
    /// <summary>The version evaluated (a representative of the regime when the real one is unknown).</summary>
    public required Version Version { get; init; }
    public required KeepaliveLintOptions Options { get; init; }

    /// <summary>1.29.7+: HTTP/1.1 upstream, Connection cleared, `keepalive 32 local` on explicit upstreams.</summary>
    public bool NewDefaults => Version >= DefaultKeepaliveVersion;

    public static readonly HashSet<string> BalancerDirectives = new(StringComparer.Ordinal)
    { "hash", "ip_hash", "least_conn", "random", "least_time", "sticky" };

    /// <summary>KA(U,V) of §2.4: is the connection cache active for this upstream?</summary>
    public bool KeepaliveActive(UpstreamInfo u)
    {
        var ka = u.Find("keepalive");
        if (NewDefaults) return ka is null || ka.Args.Count == 0 || ka.Args[0] != "0";
        if (ka is null || !int.TryParse(ka.Args.FirstOrDefault(), out var n) || n <= 0) return false;
        var dirs = u.Directives.ToList();
        var idx = dirs.IndexOf(ka);
        return !dirs.Skip(idx + 1).Any(d => BalancerDirectives.Contains(d.Name));
    }

    /// <summary>The upstream keepalive_timeout in force (60s default) and the directive that set it.</summary>
    public (TimeSpan Value, NginxDirective? Set) UpstreamKeepaliveTimeout(UpstreamInfo u)
    {
        var d = u.Find("keepalive_timeout");
        return (NginxValues.ParseTime(d?.Args.FirstOrDefault()) ?? TimeSpan.FromSeconds(60), d);
    }

    public BackendProfile? Profile(UpstreamInfo? u) => Options.ProfileFor(u?.Name);
}

/// <summary>A keepalive/timeout lint rule of reference nginx-config.md §2.4.</summary>
public abstract class KeepaliveRule
{
    /// <summary>Stable id, as in the reference (KA-IDLE, NU-NOERROR...).</summary>
    public abstract string Id { get; }
    public abstract FindingSeverity Severity { get; }
    public abstract string Title { get; }
    /// <summary>Why it matters, static text.</summary>
    public abstract string Why { get; }

    public abstract IEnumerable<ConfigFinding> Evaluate(RuleContext ctx);

    protected ConfigFinding Finding(NginxDirective at, string reason, string fix, IEnumerable<NginxDirective> involved,
        UpstreamInfo? upstream = null, string? context = null, FindingSeverity? severity = null, IEnumerable<string>? usedBy = null) => new()
    {
        RuleId = Id,
        Severity = severity ?? Severity,
        Title = Title,
        Detail = reason + " " + Why,
        File = at.File,
        Line = at.Line,
        Context = context ?? (at.Block is not null ? ConfigModel.PathOf(at) : at.Context),
        Upstream = upstream?.Name,
        Fix = fix,
        Involved = involved.Where(d => d is not null).Select(ConfigModel.Loc).Distinct().ToArray(),
        UsedBy = (usedBy ?? upstream?.Uses.Select(u => u.Path) ?? Array.Empty<string>()).Distinct().ToArray(),
    };
}
