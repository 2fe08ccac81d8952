using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-ORDER: `keepalive` before a balancing directive is silently undone (before 1.29.7).</summary>
public sealed class KaOrderRule : KeepaliveRule
{
    public override string Id => "KA-ORDER";
    public override FindingSeverity Severity => FindingSeverity.Error;
    public override string Title => "keepalive is placed before the load-balancing directive";
    public override string Why => "nginx warns \"load balancing method redefined\" and the balancer replaces the keepalive wrapper, so the connection cache is silently off.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        if (ctx.NewDefaults) yield break;
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            var dirs = u.Directives.ToList();
            var ka = u.Find("keepalive");
            if (ka is null) continue;
            var lb = dirs.Skip(dirs.IndexOf(ka) + 1).FirstOrDefault(d => RuleContext.BalancerDirectives.Contains(d.Name));
            if (lb is null) continue;
            yield return Finding(ka, $"In upstream '{u.Name}', `{lb.Name}` ({ConfigModel.Loc(lb)}) comes after `keepalive` ({ConfigModel.Loc(ka)}).",
                $"upstream {u.Name} {{ {lb.Name}{(lb.Args.Count > 0 ? " " + string.Join(' ', lb.Args) : "")}; ...; keepalive {string.Join(' ', ka.Args)}; }}",
                new[] { ka, lb }, u, u.Path);
        }
    }
}
