using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-CONN-CLOSE: the effective Connection header is "close" (directly or via a map's default/'' branch).</summary>
public sealed class KaConnCloseRule : KeepaliveRule
{
    public override string Id => "KA-CONN-CLOSE";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "Connection header sends \"close\" to an upstream with keepalive";
    public override string Why => "Every such request tells the backend to close the connection, so keepalive is defeated on all nginx versions (the common WebSocket recipe maps '' to close).";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Module == "proxy" && u.Upstream is not null && ctx.KeepaliveActive(u.Upstream)))
        {
            var (_, headers) = ConfigModel.EffectiveArray(use.Levels, "proxy_set_header");
            var conn = headers.LastOrDefault(h => h.Args.Count >= 2 && h.Args[0].Equals("Connection", StringComparison.OrdinalIgnoreCase));
            if (conn is null) continue;
            var value = conn.Args[1];
            if (value.Equals("close", StringComparison.OrdinalIgnoreCase))
            {
                yield return Finding(conn, $"Location '{use.Path}' sets `Connection close` ({ConfigModel.Loc(conn)}) toward upstream '{use.Upstream!.Name}'.",
                    "proxy_set_header Connection \"\";", new[] { conn, use.Pass, use.Upstream.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
                continue;
            }
            if (!value.StartsWith('$')) continue;
            var map = ctx.Model.Maps.FirstOrDefault(m => m.Args.Count == 2 && m.Args[1] == value);
            if (map is null) continue;
            var closing = ConfigModel.Children(map).FirstOrDefault(e => e.Args.Count == 1 && (e.Name == "default" || e.Name.Length == 0)
                && e.Args[0].Equals("close", StringComparison.OrdinalIgnoreCase));
            if (closing is null) continue;
            var key = closing.Name.Length == 0 ? "''" : closing.Name;
            yield return Finding(conn,
                $"Location '{use.Path}' sets Connection to {value}, and map {map.Args[0]} {value} ({ConfigModel.Loc(map)}) yields \"close\" for {key} ({ConfigModel.Loc(closing)}): every request without Upgrade closes the upstream connection.",
                $"{key} \"\";   # in map {map.Args[0]} {value}, instead of close",
                new[] { conn, map, closing, use.Pass, use.Upstream!.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}
