using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

internal static class NextUpstream
{
    public static string Directive(string module) => module + "_next_upstream";

    /// <summary>The effective flags (default "error timeout") and the directive that set them.</summary>
    public static (HashSet<string> Flags, NginxDirective? Set) Effective(ProxyUse use)
    {
        var d = ConfigModel.Effective(use.Levels, Directive(use.Module));
        var flags = d is null ? new HashSet<string> { "error", "timeout" } : d.Args.Select(a => a.ToLowerInvariant()).ToHashSet();
        return (flags, d);
    }
}

/// <summary>NU-NOERROR: stale-connection errors are FT_ERROR; without `error` even GETs fail.</summary>
public sealed class NuNoErrorRule : KeepaliveRule
{
    public override string Id => "NU-NOERROR";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "next_upstream lacks 'error' for an upstream with keepalive";
    public override string Why => "A reset on a reused connection is an `error` failure; without `error` in the list nginx does not retry it, so even idempotent requests get 502 instead of the transparent retry.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Upstream is not null && u.Module is "proxy" or "fastcgi" or "grpc" && ctx.KeepaliveActive(u.Upstream)))
        {
            var (flags, set) = NextUpstream.Effective(use);
            if (set is null || (flags.Contains("error") && !flags.Contains("off"))) continue;
            var keep = flags.Where(f => f != "off").ToList();
            yield return Finding(set, $"'{use.Path}' sets {set.Name} {string.Join(' ', set.Args)} ({ConfigModel.Loc(set)}) toward upstream '{use.Upstream!.Name}'.",
                $"{set.Name} error timeout{string.Concat(keep.Where(f => f is not "error" and not "timeout").Select(f => " " + f))};",
                new[] { set, use.Pass, use.Upstream.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>NU-NONIDEM: non-idempotent requests may be replayed.</summary>
public sealed class NuNonIdemRule : KeepaliveRule
{
    public override string Id => "NU-NONIDEM";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "next_upstream retries non-idempotent requests";
    public override string Why => "A POST/PATCH/LOCK that already reached a backend may be executed twice (duplicate orders or payments); safe only with server-side idempotency keys. Prefer fixing the keepalive timeout ordering (KA-IDLE).";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var d in ctx.Model.Config.Descendants().Where(d => d.Name.EndsWith("_next_upstream", StringComparison.Ordinal) && d.Args.Any(a => a.Equals("non_idempotent", StringComparison.OrdinalIgnoreCase))))
        {
            var uses = ctx.Model.Uses.Where(u => NextUpstream.Effective(u).Set == d).ToList();
            yield return Finding(d, $"{d.Name} {string.Join(' ', d.Args)} ({ConfigModel.Loc(d)}) lets nginx resend non-idempotent requests.",
                $"{d.Name} {string.Join(' ', d.Args.Where(a => !a.Equals("non_idempotent", StringComparison.OrdinalIgnoreCase)).DefaultIfEmpty("error timeout"))};   # unless the backend deduplicates",
                new[] { d }.Concat(uses.Select(u => u.Pass)), uses.FirstOrDefault()?.Upstream, usedBy: uses.Select(u => u.Path));
        }
    }
}

/// <summary>NU-NONIDEM-ALONE: an explicit list with non_idempotent but without error/timeout.</summary>
public sealed class NuNonIdemAloneRule : KeepaliveRule
{
    public override string Id => "NU-NONIDEM-ALONE";
    public override FindingSeverity Severity => FindingSeverity.Error;
    public override string Title => "non_idempotent is listed without error/timeout";
    public override string Why => "The explicit list replaces the default `error timeout`, and non_idempotent only widens those conditions, so nothing is retried any more.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var d in ctx.Model.Config.Descendants().Where(d => d.Name.EndsWith("_next_upstream", StringComparison.Ordinal)))
        {
            var flags = d.Args.Select(a => a.ToLowerInvariant()).ToHashSet();
            if (!flags.Contains("non_idempotent") || flags.Contains("error") || flags.Contains("timeout")) continue;
            yield return Finding(d, $"{d.Name} {string.Join(' ', d.Args)} ({ConfigModel.Loc(d)}) has no error or timeout condition.",
                $"{d.Name} error timeout {string.Join(' ', d.Args)};", new[] { d });
        }
    }
}

/// <summary>NU-NOBUF: streamed request bodies cannot be retried.</summary>
public sealed class NuNoBufRule : KeepaliveRule
{
    public override string Id => "NU-NOBUF";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Request buffering is off for an upstream with keepalive";
    public override string Why => "Once a body that was not fully pre-read has started streaming, no retry is possible for any method; a stale-connection reset becomes a 502 (small bodies fall back to buffered mode).";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Upstream is not null && ctx.KeepaliveActive(u.Upstream)))
        {
            var rb = ConfigModel.Effective(use.Levels, use.Module + "_request_buffering");
            var off = use.Module == "grpc" || rb?.Args.FirstOrDefault()?.Equals("off", StringComparison.OrdinalIgnoreCase) == true;
            if (!off) continue;
            yield return Finding(rb ?? use.Pass,
                use.Module == "grpc" ? $"'{use.Path}' uses grpc_pass, which always streams request bodies." : $"'{use.Path}' sets {rb!.Name} off ({ConfigModel.Loc(rb)}).",
                use.Module == "grpc" ? "accept, or keep keepalive_timeout well below the backend's idle timeout" : $"{use.Module}_request_buffering on;   # for upload endpoints behind keepalive",
                new[] { rb!, use.Pass, use.Upstream!.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}

/// <summary>NU-RETRY-STORM: slow requests replayed on every server.</summary>
public sealed class NuRetryStormRule : KeepaliveRule
{
    public override string Id => "NU-RETRY-STORM";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Timeouts are retried on every server without a limit";
    public override string Why => "A slow idempotent request is replayed on each server: latency up to N x read timeout and N x backend load.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Upstream is not null && u.Upstream.Servers.Count() >= 2))
        {
            var (flags, set) = NextUpstream.Effective(use);
            if (!flags.Contains("timeout") || flags.Contains("off")) continue;
            if (ConfigModel.Effective(use.Levels, use.Module + "_next_upstream_tries") is not null
                || ConfigModel.Effective(use.Levels, use.Module + "_next_upstream_timeout") is not null) continue;
            yield return Finding(use.Pass, $"'{use.Path}' retries timeouts across the {use.Upstream!.Servers.Count()} servers of '{use.Upstream.Name}' with no tries/timeout limit.",
                $"{use.Module}_next_upstream_tries 2;", new[] { use.Pass, set!, use.Upstream.Block }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}
