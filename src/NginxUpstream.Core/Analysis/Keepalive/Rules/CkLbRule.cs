using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>
/// CK-LB: nginx sits behind an L7 load balancer / CDN that reuses idle connections to nginx for
/// Tlb, and nginx's client-side keepalive_timeout is not longer: the mirror image of KA-IDLE.
/// </summary>
/// <remarks>
/// keepalive_timeout is http/server/location and is read from the location that finally served
/// the request (ngx_http_update_location_config), so every server and location is evaluated with
/// its effective value (default 75s). `keepalive_timeout 0` turns keep-alive off: nginx answers
/// with `Connection: close` and the LB never reuses the connection, so the race cannot happen;
/// that case is reported as info (a connection per request), not as the error of the race.
/// </remarks>
public sealed class CkLbRule : KeepaliveRule
{
    public static readonly TimeSpan NginxDefault = TimeSpan.FromSeconds(75);

    public override string Id => "CK-LB";
    public override FindingSeverity Severity => FindingSeverity.Error;
    public override string Title => "Client keepalive_timeout is not longer than the load balancer's idle timeout";
    public override string Why => "A load balancer that reuses idle connections to nginx must be the side that closes them: when nginx's keepalive_timeout is not longer, the LB sends a request just as nginx closes the connection, gets a reset or EOF instead of a response and returns its own 502 (Cloudflare: 520), with nothing in nginx's error log.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        if (ctx.Options.LoadBalancer is not { } lb) yield break;
        var groups = new Dictionary<NginxDirective, (TimeSpan Value, bool Default, List<string> Where)>(ReferenceEqualityComparer.Instance);
        foreach (var chain in ctx.Model.LevelChains)
        {
            var last = chain[^1];
            if (last.Name is not ("server" or "location")) continue;
            // A server with `location /` sends every request to a location: its own value is never used.
            if (last.Name == "server" && ConfigModel.ChildrenNamed(last, "location").Any(l => l.Args.Count > 0 && l.Args[^1] == "/" && l.Args[0] is "/" or "^~")) continue;
            var d = ConfigModel.Effective(chain, "keepalive_timeout");
            var kt = d is null ? NginxDefault : NginxValues.ParseTime(d.Args.FirstOrDefault());
            if (kt is not TimeSpan t || t > lb.IdleTimeout) continue;
            var key = d ?? chain.First(l => l.Name == "server");
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = (t, d is null, new List<string>());
            g.Where.Add(ConfigModel.PathOf(last));
        }
        var target = NginxValues.FormatTime(lb.IdleTimeout + TimeSpan.FromSeconds(5));
        foreach (var (at, (kt, isDefault, where)) in groups)
        {
            var lbText = $"the {lb.Name} idle timeout of {NginxValues.FormatTime(lb.IdleTimeout)}";
            if (kt == TimeSpan.Zero)
            {
                yield return Finding(at, $"keepalive_timeout 0 ({ConfigModel.Loc(at)}) disables client keep-alive behind {lb.Name}: nginx sends Connection: close, so the reuse race cannot occur, but the load balancer opens a new connection for every request (latency, TIME_WAIT on both sides).",
                    $"keepalive_timeout {target};   # > {lbText}", new[] { at }, severity: FindingSeverity.Info, usedBy: where);
                continue;
            }
            var how = isDefault ? $"the default keepalive_timeout {NginxValues.FormatTime(kt)}" : $"keepalive_timeout {string.Join(' ', at.Args)} ({ConfigModel.Loc(at)})";
            yield return Finding(at, $"'{(isDefault ? ConfigModel.PathOf(at) : at.Context)}' closes idle client connections after {how}, which is not longer than {lbText}.",
                isDefault ? $"keepalive_timeout {target};   # in '{ConfigModel.PathOf(at)}', > {lbText}" : $"keepalive_timeout {target};   # > {lbText}",
                new[] { at }, context: isDefault ? ConfigModel.PathOf(at) : null, usedBy: where);
        }
    }
}
