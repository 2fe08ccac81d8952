using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>
/// Each location that proxies to an upstream whose backend has a request timeout, with its
/// effective *_read_timeout directive (null: the 60 s default), that timeout, and the backend's.
/// </summary>
internal static class ReadTimeouts
{
    public static IEnumerable<(ProxyUse Use, NginxDirective? Directive, TimeSpan Read, TimeSpan Backend)> Of(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Upstream is not null))
        {
            if (ctx.Profile(use.Upstream)?.RequestTimeout is not TimeSpan tw || tw == BackendProfile.Never) continue;
            var d = ConfigModel.Effective(use.Levels, use.Module + "_read_timeout");
            yield return (use, d, NginxValues.ParseTime(d?.Args.FirstOrDefault()) ?? TimeSpan.FromSeconds(60), tw);
        }
    }
}

/// <summary>TO-READ: nginx gives up before the backend's request timeout.</summary>
public sealed class ToReadRule : KeepaliveRule
{
    public override string Id => "TO-READ";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "read timeout is shorter than the backend's request timeout";
    public override string Why => "nginx gives up first: 504 `upstream timed out (110...)` while the backend keeps working; with `timeout` in next_upstream the request is re-run on another server.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var (use, d, rt, tw) in ReadTimeouts.Of(ctx))
        {
            if (rt >= tw) continue;
            yield return Finding(d ?? use.Pass, $"'{use.Path}' waits {NginxValues.FormatTime(rt)} for '{use.Upstream!.Name}', whose requests may take {NginxValues.FormatTime(tw)}.",
                $"{use.Module}_read_timeout {NginxValues.FormatTime(tw + TimeSpan.FromSeconds(5))};", new[] { d!, use.Pass }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>TO-READ-ORDER: the backend kills the worker long before nginx's read timeout.</summary>
public sealed class ToReadOrderRule : KeepaliveRule
{
    public override string Id => "TO-READ-ORDER";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "read timeout is far above the backend's request timeout";
    public override string Why => "The backend (gunicorn timeout, uWSGI harakiri, php-fpm request_terminate_timeout) kills the worker first, so nginx logs `upstream prematurely closed connection` (502) instead of a clean 504: fine, but confusing to diagnose.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var (use, d, rt, tw) in ReadTimeouts.Of(ctx))
        {
            var margin = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, tw.Ticks / 2));
            if (rt <= tw + margin) continue;
            yield return Finding(d ?? use.Pass, $"'{use.Path}' waits {NginxValues.FormatTime(rt)}; the backend of '{use.Upstream!.Name}' stops at {NginxValues.FormatTime(tw)}.",
                $"{use.Module}_read_timeout {NginxValues.FormatTime(tw + TimeSpan.FromSeconds(5))};   # or raise the backend's limit", new[] { d!, use.Pass }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>TO-CONNECT: connect timeouts above 75s do not take effect.</summary>
public sealed class ToConnectRule : KeepaliveRule
{
    public override string Id => "TO-CONNECT";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "connect timeout above 75 seconds";
    public override string Why => "nginx docs: the connect timeout \"cannot usually exceed 75 seconds\" (kernel SYN retries end first).";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var d in ctx.Model.Config.Descendants().Where(d => d.Name.EndsWith("_connect_timeout", StringComparison.Ordinal)))
        {
            if (NginxValues.ParseTime(d.Args.FirstOrDefault()) is not TimeSpan t || t <= TimeSpan.FromSeconds(75)) continue;
            yield return Finding(d, $"{d.Name} {d.Args[0]} ({ConfigModel.Loc(d)}).", $"{d.Name} 60s;", new[] { d });
        }
    }
}
