using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>UP-FAILS: each stale-connection error marks a healthy peer down.</summary>
public sealed class UpFailsRule : KeepaliveRule
{
    public override string Id => "UP-FAILS";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Stale-connection errors will mark healthy servers down";
    public override string Why => "With the default max_fails=1 fail_timeout=10s each reset disables a peer for 10s; when all trip, clients get `no live upstreams` 502s.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            var servers = u.Servers.ToList();
            if (servers.Count < 2 || !KaIdleRule.Fires(ctx, u, out _, out _, out _)) continue;
            var defaults = servers.Where(s => !s.Args.Any(a => a.StartsWith("max_fails=", StringComparison.Ordinal))).ToList();
            if (defaults.Count == 0) continue;
            yield return Finding(u.Block, $"Upstream '{u.Name}' has {servers.Count} servers with the default max_fails=1 fail_timeout=10s and KA-IDLE fires.",
                "fix KA-IDLE first; then e.g. server ADDR max_fails=3 fail_timeout=10s;", defaults.Prepend(u.Block), u, u.Path);
        }
    }
}
