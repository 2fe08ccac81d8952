using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// Links error.log peers (127.0.0.1:8000, unix:/run/app.sock) to the upstream{} blocks that list
/// them, so config findings about upstream "app" reach the errors toward its servers.
/// </summary>
internal sealed class ConfigIndex
{
    private readonly Dictionary<string, string> _blockByPeer = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ConfigFinding> _findings;

    public ConfigIndex(IEnumerable<NginxDirective> roots, List<ConfigFinding> findings)
    {
        _findings = findings;
        foreach (var d in Walk(roots))
        {
            if (d.Name != "upstream" || d.Args.Count == 0 || d.Block is null) continue;
            Blocks[d.Args[0]] = d;
            foreach (var s in d.Block)
                if (s.Name == "server" && s.Args.Count > 0) _blockByPeer.TryAdd(NormalizePeer(s.Args[0]), d.Args[0]);
        }
    }

    public Dictionary<string, NginxDirective> Blocks { get; } = new(StringComparer.Ordinal);

    public string? BlockFor(UpstreamError e)
    {
        if (e.UpstreamAddress is { } a && _blockByPeer.TryGetValue(NormalizePeer(a), out var b)) return b;
        // "no live upstreams" logs the group name in place of the peer.
        if (e.Upstream is { } u && HostOf(u) is { } h && Blocks.ContainsKey(h)) return h;
        return null;
    }

    /// <summary>Findings about this upstream block, or naming this peer; findings about no upstream in particular are left out.</summary>
    public IReadOnlyList<ConfigFinding> FindingsFor(string? block, string peer)
    {
        var result = new List<ConfigFinding>();
        foreach (var f in _findings)
        {
            if (f.Upstream is null) continue;
            if (block is not null ? f.Upstream == block : NormalizePeer(f.Upstream) == NormalizePeer(peer) || Blocks.Count == 0 && _findings.Where(x => x.Upstream is not null).Select(x => x.Upstream).Distinct().Count() == 1)
                result.Add(f);
        }
        return result;
    }

    private static IEnumerable<NginxDirective> Walk(IEnumerable<NginxDirective> ds)
    {
        foreach (var d in ds)
        {
            yield return d;
            if (d.Block is not null) foreach (var c in Walk(d.Block)) yield return c;
        }
    }

    /// <summary>"localhost:8000" and "127.0.0.1:8000" stay different; "unix:/x.sock:" loses nginx's trailing colon.</summary>
    internal static string NormalizePeer(string p)
    {
        p = p.Trim();
        if (p.StartsWith("unix:", StringComparison.Ordinal)) return p.TrimEnd(':');
        if (!p.Contains(':') || p.EndsWith(']')) return p + ":80";
        return p;
    }

    private static string? HostOf(string url)
    {
        var i = url.IndexOf("://", StringComparison.Ordinal);
        if (i < 0) return null;
        var rest = url[(i + 3)..];
        var end = rest.IndexOfAny(new[] { '/', ':' });
        return end < 0 ? rest : rest[..end];
    }
}
