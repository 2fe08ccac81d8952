using NginxUpstream.Analysis.Keepalive.Rules;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive;

/// <summary>
/// Runs the §2.4 rule set over a parsed config. With a known nginx version one regime is
/// evaluated; without one, both (before and from 1.29.7, where the defaults changed) and each
/// finding says which regime it applies to.
/// </summary>
public static class KeepaliveLinter
{
    public static IReadOnlyList<KeepaliveRule> Rules { get; } = new KeepaliveRule[]
    {
        new KaIdleRule(), new KaIdleUnknownRule(), new KaOrderRule(), new KaHttp10Rule(), new KaConnRule(),
        new KaConnCloseRule(), new PshDropRule(), new KaReqsRule(), new NuNoErrorRule(), new NuNonIdemRule(),
        new NuNonIdemAloneRule(), new NuNoBufRule(), new NuRetryStormRule(), new UpFailsRule(), new ToReadRule(),
        new ToReadOrderRule(), new ToConnectRule(), new BodyLimitRule(), new KaImplicitRule(), new FcgiKeepRule(),
        new UwsgiKaRule(), new VerSyntaxRule(), new KaReqClientRule(), new BodyDefaultRule(), new CkLbRule(),
    };

    /// <summary>Representatives of the two regimes used when the version is unknown.</summary>
    public static readonly Version BeforeDefaults = new(1, 28, 0), WithDefaults = new(1, 30, 0);

    public static IReadOnlyList<ConfigFinding> Lint(NginxConfig config, KeepaliveLintOptions options)
    {
        var model = new ConfigModel(config);
        var version = options.NginxVersion ?? config.NginxVersion;
        if (version is not null)
            return Run(model, version, options).Select(f => With(f, $"nginx {version}")).ToList();

        var before = Run(model, BeforeDefaults, options).ToList();
        var after = Run(model, WithDefaults, options).ToList();
        static string Key(ConfigFinding f) => $"{f.RuleId}|{f.File}|{f.Line}|{f.Context}|{f.Upstream}";
        var afterKeys = after.ToDictionary(Key, f => f);
        var result = new List<ConfigFinding>();
        foreach (var f in before)
            result.Add(afterKeys.Remove(Key(f)) ? With(f, "all versions (nginx version unknown)") : With(f, "nginx < 1.29.7 only (nginx version unknown)"));
        result.AddRange(after.Where(f => afterKeys.ContainsKey(Key(f))).Select(f => With(f, "nginx >= 1.29.7 only (nginx version unknown)")));
        return result;
    }

    private static IEnumerable<ConfigFinding> Run(ConfigModel model, Version version, KeepaliveLintOptions options)
    {
        var ctx = new RuleContext { Model = model, Version = version, Options = options };
        return Rules.SelectMany(r => r.Evaluate(ctx))
            .GroupBy(f => $"{f.RuleId}|{f.File}|{f.Line}|{f.Context}|{f.Upstream}").Select(g => g.First());
    }

    private static ConfigFinding With(ConfigFinding f, string appliesTo) => new()
    {
        RuleId = f.RuleId, Severity = f.Severity, Title = f.Title, Detail = f.Detail, File = f.File, Line = f.Line,
        Context = f.Context, Upstream = f.Upstream, Fix = f.Fix, Involved = f.Involved, UsedBy = f.UsedBy, AppliesTo = appliesTo,
    };

    /// <summary>-Quiet's answer: no warning or error findings.</summary>
    public static bool IsClean(IEnumerable<ConfigFinding> findings) => findings.All(f => f.Severity == FindingSeverity.Info);
}
