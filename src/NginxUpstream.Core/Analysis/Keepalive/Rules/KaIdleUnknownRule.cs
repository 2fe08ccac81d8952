using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-IDLE-UNKNOWN: the cache is active with the 60s default and the backend's idle timeout is unknown.</summary>
public sealed class KaIdleUnknownRule : KeepaliveRule
{
    public override string Id => "KA-IDLE-UNKNOWN";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Upstream keepalive_timeout is the 60s default and the backend's idle timeout is unknown";
    public override string Why => "60s exceeds many app-server defaults (gunicorn 2s, uvicorn 5s, Node 5s, Tomcat 20s, Jetty 30s); if the backend closes first, resets follow.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            if (!ctx.KeepaliveActive(u) || u.Find("keepalive_timeout") is not null || ctx.Profile(u)?.IdleTimeout is not null) continue;
            var implicitOn = ctx.NewDefaults && u.Find("keepalive") is null;
            yield return Finding(u.Block,
                implicitOn
                    ? $"Upstream '{u.Name}' has no keepalive line: since 1.29.7 it caches connections (keepalive 32 local) for 60s."
                    : $"Upstream '{u.Name}' caches connections for the default 60s.",
                $"upstream {u.Name} {{ keepalive_timeout 4s; }}   # below the backend's idle timeout; or pass -Backend / -BackendKeepAliveTimeout",
                new[] { u.Block }, u, u.Path, implicitOn ? FindingSeverity.Warning : FindingSeverity.Info);
        }
    }
}
