using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-HTTP10: the cache is active but the location speaks HTTP/1.0 upstream.</summary>
public sealed class KaHttp10Rule : KeepaliveRule
{
    public override string Id => "KA-HTTP10";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "Upstream keepalive is configured but requests go out as HTTP/1.0";
    public override string Why => "nginx sends HTTP/1.0 (and Connection: close before 1.29.7) and treats HTTP/1.0 responses as connection-close, so cached connections are never reused: wasted configuration and connection churn (TIME_WAIT, possibly 99: Cannot assign requested address).";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Module == "proxy" && u.Upstream is not null && ctx.KeepaliveActive(u.Upstream)))
        {
            var v = ConfigModel.Effective(use.Levels, "proxy_http_version");
            var is10 = v is null ? !ctx.NewDefaults : v.Args.FirstOrDefault() == "1.0";
            if (!is10) continue;
            var reason = v is null
                ? $"Location '{use.Path}' proxies to upstream '{use.Upstream!.Name}' with the default proxy_http_version 1.0 (nginx < 1.29.7)."
                : $"Location '{use.Path}' sets proxy_http_version 1.0 ({ConfigModel.Loc(v)}) toward upstream '{use.Upstream!.Name}'.";
            yield return Finding(use.Pass, reason, "proxy_http_version 1.1;", new[] { use.Pass, use.Upstream.Block, v! }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}
