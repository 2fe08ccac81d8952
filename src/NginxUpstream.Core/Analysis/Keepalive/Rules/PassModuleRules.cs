using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-IMPLICIT: keepalive is intended but the target is an implicit upstream.</summary>
public sealed class KaImplicitRule : KeepaliveRule
{
    public override string Id => "KA-IMPLICIT";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "proxy_pass to a literal address has no connection cache";
    public override string Why => "Implicit upstreams (proxy_pass http://host:port with no upstream block) never get a connection cache, in any nginx version.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Module == "proxy" && u.Upstream is null && !u.IsDynamic))
        {
            var v = ConfigModel.Effective(use.Levels, "proxy_http_version");
            var (_, headers) = ConfigModel.EffectiveArray(use.Levels, "proxy_set_header");
            var cleared = headers.FirstOrDefault(h => h.Args.Count == 2 && h.Args[0].Equals("Connection", StringComparison.OrdinalIgnoreCase) && h.Args[1].Length == 0);
            if (v?.Args.FirstOrDefault() != "1.1" || cleared is null) continue;
            var target = use.Pass.Args[0];
            yield return Finding(use.Pass, $"'{use.Path}' prepares keepalive (proxy_http_version 1.1, Connection \"\") but proxies to {target}, which has no upstream block.",
                $"upstream backend {{ server {ConfigModel.TargetName("proxy", target).Name}; keepalive 16; }}  and  proxy_pass http://backend;",
                new[] { use.Pass, v, cleared }, context: use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>FCGI-KEEP: FastCGI connections are only reused with fastcgi_keep_conn on.</summary>
public sealed class FcgiKeepRule : KeepaliveRule
{
    public override string Id => "FCGI-KEEP";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "fastcgi upstream with keepalive but fastcgi_keep_conn off";
    public override string Why => "FastCGI connections are not reused without fastcgi_keep_conn on; when on, each idle cached connection pins a php-fpm worker, so keep `keepalive` below the pool size.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Module == "fastcgi" && u.Upstream is not null && ctx.KeepaliveActive(u.Upstream)))
        {
            var d = ConfigModel.Effective(use.Levels, "fastcgi_keep_conn");
            if (d?.Args.FirstOrDefault()?.Equals("on", StringComparison.OrdinalIgnoreCase) == true) continue;
            yield return Finding(use.Pass, $"'{use.Path}' passes to fastcgi upstream '{use.Upstream!.Name}' without fastcgi_keep_conn on.",
                "fastcgi_keep_conn on;   # and a small keepalive in the upstream", new[] { use.Pass, d!, use.Upstream.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>UWSGI-KA: keepalive is inert for uwsgi/scgi.</summary>
public sealed class UwsgiKaRule : KeepaliveRule
{
    public override string Id => "UWSGI-KA";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "keepalive in an upstream used only by uwsgi_pass/scgi_pass";
    public override string Why => "\"SCGI and uwsgi protocols do not have a notion of keepalive connections\" (nginx docs): the directive does nothing.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            var ka = u.Find("keepalive");
            if (ka is null || ka.Args.FirstOrDefault() == "0" || u.Uses.Count == 0 || !u.Uses.All(x => x.Module is "uwsgi" or "scgi")) continue;
            yield return Finding(ka, $"Upstream '{u.Name}' sets keepalive {string.Join(' ', ka.Args)} ({ConfigModel.Loc(ka)}) but is only used by uwsgi/scgi.",
                $"remove `keepalive {string.Join(' ', ka.Args)};` from upstream {u.Name}", new[] { ka }, u, u.Path);
        }
    }
}

/// <summary>KA-REQ-CLIENT: very low client keepalive_requests.</summary>
public sealed class KaReqClientRule : KeepaliveRule
{
    public override string Id => "KA-REQ-CLIENT";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "client keepalive_requests is low";
    public override string Why => "Below 1000, browsers mishandle the frequent HTTP/2 GOAWAY (nginx ticket #2155, the reason the default went to 1000 in 1.19.10); 0 disables keep-alive and is not flagged.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var d in ctx.Model.Config.Descendants().Where(d => d.Name == "keepalive_requests" && d.Parent?.Name is "http" or "server" or "location"))
        {
            if (!int.TryParse(d.Args.FirstOrDefault(), out var n) || n < 1 || n > 999) continue;
            yield return Finding(d, $"keepalive_requests {n} ({ConfigModel.Loc(d)}).", "keepalive_requests 1000;", new[] { d });
        }
    }
}
