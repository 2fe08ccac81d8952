using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>KA-IDLE: nginx keeps idle upstream connections longer than the backend does.</summary>
public sealed class KaIdleRule : KeepaliveRule
{
    public override string Id => "KA-IDLE";
    public override FindingSeverity Severity => FindingSeverity.Error;
    public override string Title => "Upstream keepalive_timeout is not below the backend's idle timeout";
    public override string Why => "The backend closes idle connections first, racing nginx's reuse: nginx logs recv() failed (104: Connection reset by peer) or upstream prematurely closed connection; GETs are retried silently, POST/PATCH/LOCK get 502.";

    /// <summary>The safety margin of §2.4: max(1s, 10% of Tb).</summary>
    public static TimeSpan Margin(TimeSpan tb) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, tb.Ticks / 10));

    /// <summary>True when the rule fires for this upstream (UP-FAILS builds on it).</summary>
    public static bool Fires(RuleContext ctx, UpstreamInfo u, out TimeSpan kt, out TimeSpan tb, out NginxDirective? set)
    {
        (kt, set) = ctx.UpstreamKeepaliveTimeout(u);
        tb = ctx.Profile(u)?.IdleTimeout ?? TimeSpan.Zero;
        if (!ctx.KeepaliveActive(u) || tb <= TimeSpan.Zero || tb == BackendProfile.Never) return false;
        return kt > tb - Margin(tb);
    }

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var u in ctx.Model.Upstreams.Values)
        {
            if (!Fires(ctx, u, out var kt, out var tb, out var set)) continue;
            // A measured idle timeout (Test-NginxUpstream -IdleProbe: 2.998s) gives a suggestion in whole
            // seconds, rounded down so it stays below the backend's.
            var target = tb - Margin(tb);
            if (target >= TimeSpan.FromSeconds(1)) target = TimeSpan.FromSeconds(Math.Floor(target.TotalSeconds));
            var profile = ctx.Profile(u)!;
            var how = set is null ? "the default 60s" : $"{string.Join(' ', set.Args)} ({ConfigModel.Loc(set)})";
            var ka = u.Find("keepalive");
            var kaText = ka is null ? "keepalive is on by default since 1.29.7" : $"keepalive {string.Join(' ', ka.Args)} ({ConfigModel.Loc(ka)})";
            yield return Finding(set ?? u.Block,
                $"Upstream '{u.Name}' keeps idle connections for {how} ({kaText}), but the backend ({profile.Name}) closes them after {NginxValues.FormatTime(tb)}.",
                $"upstream {u.Name} {{ keepalive_timeout {NginxValues.FormatTime(target)}; }}   # or raise the backend's idle timeout above {NginxValues.FormatTime(kt)}",
                new[] { u.Block, set!, ka! }.Concat(u.Uses.Select(x => x.Pass)), u, u.Path);
        }
    }
}
