using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-REQS: nginx reuses a connection for more requests than the backend allows.</summary>
public sealed class KaReqsRule : KeepaliveRule
{
    public override string Id => "KA-REQS";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Upstream keepalive_requests exceeds the backend's requests per connection";
    public override string Why => "A backend that silently closes after its limit (without Connection: close) causes the same reuse race as an idle timeout.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            if (!ctx.KeepaliveActive(u) || ctx.Profile(u)?.MaxRequests is not int rb) continue;
            var d = u.Find("keepalive_requests");
            var n = int.TryParse(d?.Args.FirstOrDefault(), out var x) ? x : ctx.Version >= new Version(1, 19, 10) ? 1000 : 100;
            if (n <= rb) continue;
            yield return Finding(d ?? u.Block, $"Upstream '{u.Name}' reuses a connection for {n} requests; the backend allows {rb}.",
                $"upstream {u.Name} {{ keepalive_requests {rb}; }}", new[] { u.Block, d! }, u, u.Path);
        }
    }
}
