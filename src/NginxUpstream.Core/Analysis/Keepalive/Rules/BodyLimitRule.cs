using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>BODY-LIMIT: nginx accepts bodies the backend refuses.</summary>
public sealed class BodyLimitRule : KeepaliveRule
{
    public override string Id => "BODY-LIMIT";
    public override FindingSeverity Severity => FindingSeverity.Warning;
    public override string Title => "client_max_body_size exceeds the backend's body limit";
    public override string Why => "nginx accepts and buffers the upload, then the backend rejects it (413) or resets mid-body: writev() failed (32: Broken pipe) / recv() failed (104) 502s and wasted bandwidth and disk.";

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        foreach (var use in ctx.Model.Uses.Where(u => u.Upstream is not null))
        {
            if (ctx.Profile(use.Upstream)?.BodyLimit is not long bb) continue;
            var d = ConfigModel.Effective(use.Levels, "client_max_body_size");
            var size = NginxValues.ParseSize(d?.Args.FirstOrDefault()) ?? 1024 * 1024;
            if (size != 0 && size <= bb) continue;
            yield return Finding(d ?? use.Pass,
                $"'{use.Path}' accepts {(size == 0 ? "any body size (client_max_body_size 0)" : $"bodies up to {size} bytes")}; the backend of '{use.Upstream!.Name}' accepts {bb} bytes.",
                $"client_max_body_size {Math.Max(1, bb / (1024 * 1024))}m;   # at '{use.Path}'", new[] { d!, use.Pass }, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }
}
