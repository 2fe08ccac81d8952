using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-CONN: HTTP/1.1 upstream but the Connection header is not cleared (before 1.29.7).</summary>
public sealed class KaConnRule : KeepaliveRule
{
    public override string Id => "KA-CONN";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "Connection header is not cleared for an upstream with keepalive";
    public override string Why => "Before 1.29.7 nginx sends `Connection: close` unless the location's effective proxy_set_header set clears it, so the backend closes every connection and nothing is reused (nginx docs: \"the Connection header field should be cleared\").";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        if (ctx.NewDefaults) yield break;
        foreach (var use in ctx.Model.Uses.Where(u => u.Module == "proxy" && u.Upstream is not null && ctx.KeepaliveActive(u.Upstream)))
        {
            var v = ConfigModel.Effective(use.Levels, "proxy_http_version");
            if (v?.Args.FirstOrDefault() != "1.1") continue;
            var (level, headers) = ConfigModel.EffectiveArray(use.Levels, "proxy_set_header");
            if (headers.Any(h => h.Args.Count > 0 && h.Args[0].Equals("Connection", StringComparison.OrdinalIgnoreCase))) continue;
            var where = level < 0 ? use.Path : ConfigModel.PathOf(use.Levels[level]);
            yield return Finding(use.Pass,
                $"Location '{use.Path}' proxies to upstream '{use.Upstream!.Name}' over HTTP/1.1 but its effective proxy_set_header set (from '{where}') has no Connection entry.",
                $"proxy_set_header Connection \"\";   # in '{where}', beside the other proxy_set_header lines",
                headers.Append(use.Pass).Append(v).Append(use.Upstream.Block), use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}
