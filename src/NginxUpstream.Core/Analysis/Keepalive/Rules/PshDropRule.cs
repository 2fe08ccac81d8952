using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>PSH-DROP: a level defining its own *_set_header/*_param list drops every inherited entry.</summary>
public sealed class PshDropRule : KeepaliveRule
{
    private static readonly string[] ArrayDirectives = { "proxy_set_header", "grpc_set_header", "fastcgi_param", "uwsgi_param", "scgi_param" };
    private static readonly HashSet<string> Important = new(StringComparer.OrdinalIgnoreCase)
    { "Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "Forwarded", "Connection", "Upgrade" };

    public override string Id => "PSH-DROP";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "Inherited proxy headers are dropped by a lower level";
    public override string Why => "These lists are inherited only when a level defines none of them (array-replace): one proxy_set_header at a level drops all inherited ones; before 1.29.7 losing Connection \"\" also turns keepalive off.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        var seen = new HashSet<NginxDirective>(ReferenceEqualityComparer.Instance);
        foreach (var chain in ctx.Model.LevelChains)
        {
            var level = chain[^1];
            if (chain.Count < 2 || !seen.Add(level)) continue;
            foreach (var name in ArrayDirectives)
            {
                var own = ConfigModel.Children(level).Where(c => c.Name == name).ToList();
                if (own.Count == 0) continue;
                var (pi, parent) = ConfigModel.EffectiveArray(chain.Take(chain.Count - 1).ToList(), name);
                if (pi < 0) continue;
                var ownKeys = own.Where(o => o.Args.Count > 0).Select(o => o.Args[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var dropped = parent.Where(p => p.Args.Count > 0 && !ownKeys.Contains(p.Args[0])).ToList();
                if (dropped.Count == 0) continue;
                var names = dropped.Select(d => d.Args[0]).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var severe = name is "proxy_set_header" or "grpc_set_header" && names.Any(Important.Contains);
                yield return Finding(own[0],
                    $"'{ConfigModel.PathOf(level)}' defines {name} ({ConfigModel.Loc(own[0])}) and so drops {string.Join(", ", names)} inherited from '{ConfigModel.PathOf(chain[pi])}'.",
                    string.Join("\n", dropped.Select(d => $"{name} {string.Join(' ', d.Args.Select(Quote))};")) + $"   # repeat in '{ConfigModel.PathOf(level)}'",
                    own.Concat(dropped), context: ConfigModel.PathOf(level), severity: severe ? FindingSeverity.Error : FindingSeverity.Warning,
                    usedBy: ctx.Model.Uses.Where(u => u.Levels.Contains(level)).Select(u => u.Path));
            }
        }
    }

    private static string Quote(string a) => a.Length == 0 ? "\"\"" : a.Any(char.IsWhiteSpace) ? "\"" + a + "\"" : a;
}
