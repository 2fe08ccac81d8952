using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>VER-SYNTAX: keepalive-family syntax the target nginx version rejects.</summary>
public sealed class VerSyntaxRule : KeepaliveRule
{
    public override string Id => "VER-SYNTAX";
    public override FindingSeverity Severity => FindingSeverity.Error;
    public override string Title => "Directive or parameter not supported by this nginx version";
    public override string Why => "`nginx -t` fails on that version, so the config cannot be loaded.";

    private static readonly Version V1_29_7 = new(1, 29, 7), V1_29_4 = new(1, 29, 4), V1_19_10 = new(1, 19, 10),
        V1_15_3 = new(1, 15, 3), V1_27_4 = new(1, 27, 4), V1_9_13 = new(1, 9, 13), V1_11_13 = new(1, 11, 13), V1_7_5 = new(1, 7, 5);

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        var v = ctx.Version;
        foreach (var d in ctx.Model.Config.Descendants())
        {
            var inUpstream = d.Parent?.Name == "upstream";
            (Version since, string what)? issue = d.Name switch
            {
                "keepalive" when inUpstream && d.Args.FirstOrDefault() == "0" && v < V1_29_7 => (V1_29_7, "`keepalive 0`"),
                "keepalive" when inUpstream && d.Args.Count > 1 && v < V1_29_7 => (V1_29_7, "`keepalive N local`"),
                "proxy_http_version" when d.Args.FirstOrDefault() == "2" && v < V1_29_4 => (V1_29_4, "`proxy_http_version 2`"),
                "keepalive_time" when v < V1_19_10 => (V1_19_10, "`keepalive_time`"),
                "keepalive_timeout" or "keepalive_requests" when inUpstream && v < V1_15_3 => (V1_15_3, $"upstream `{d.Name}`"),
                "keepalive_min_timeout" when v < V1_27_4 => (V1_27_4, "`keepalive_min_timeout`"),
                _ when d.Name.EndsWith("_next_upstream", StringComparison.Ordinal) && d.Args.Contains("non_idempotent") && v < V1_9_13 => (V1_9_13, "`non_idempotent`"),
                _ when d.Name.EndsWith("_next_upstream", StringComparison.Ordinal) && d.Args.Contains("http_429") && v < V1_11_13 => (V1_11_13, "`http_429`"),
                _ when (d.Name.EndsWith("_next_upstream_tries", StringComparison.Ordinal) || d.Name.EndsWith("_next_upstream_timeout", StringComparison.Ordinal)) && v < V1_7_5 => (V1_7_5, $"`{d.Name}`"),
                _ => null,
            };
            if (issue is not { } i) continue;
            var fix = d.Name == "keepalive" && d.Args.FirstOrDefault() == "0" ? "remove the `keepalive` line (off is the default before 1.29.7)"
                : d.Name == "keepalive" ? $"keepalive {d.Args[0]};" : $"remove it, or upgrade nginx to {i.since}+";
            yield return Finding(d, $"{i.what} ({ConfigModel.Loc(d)}) needs nginx {i.since}; the target is {v}.", fix, new[] { d });
        }
    }
}
