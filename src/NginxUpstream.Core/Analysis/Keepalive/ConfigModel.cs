using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive;

/// <summary>An explicit `upstream NAME {}` block (http).</summary>
public sealed class UpstreamInfo
{
    public required string Name { get; init; }
    public required NginxDirective Block { get; init; }
    public IReadOnlyList<NginxDirective> Directives => ConfigModel.Children(Block);
    public NginxDirective? Find(string name) => Directives.LastOrDefault(d => d.Name == name);
    public IEnumerable<NginxDirective> Servers => Directives.Where(d => d.Name == "server");
    public List<ProxyUse> Uses { get; } = new();
    public string Path => ConfigModel.PathOf(Block);
}

/// <summary>A `*_pass` directive and the levels (http, server, location..., if) it inherits from.</summary>
public sealed class ProxyUse
{
    public required NginxDirective Pass { get; init; }
    /// <summary>proxy, fastcgi, uwsgi, scgi, grpc.</summary>
    public required string Module { get; init; }
    /// <summary>Outermost first: http, server, location, nested location / if.</summary>
    public required IReadOnlyList<NginxDirective> Levels { get; init; }
    public UpstreamInfo? Upstream { get; init; }
    public bool IsDynamic { get; init; }
    /// <summary>Context path of the innermost level, e.g. "http > server a > location /".</summary>
    public string Path => ConfigModel.PathOf(Levels[^1]);
}

/// <summary>
/// The semantic view the rules need: upstream symbol table, every *_pass with its inheritance
/// chain, and effective values per §2.2 (scalar: nearest level; array-replace: nearest level
/// that defines any).
/// </summary>
public sealed class ConfigModel
{
    public NginxConfig Config { get; }
    public Dictionary<string, UpstreamInfo> Upstreams { get; } = new(StringComparer.Ordinal);
    public List<ProxyUse> Uses { get; } = new();
    /// <summary>Every http-family block level (http, server, location, if, limit_except), outermost first per chain.</summary>
    public List<IReadOnlyList<NginxDirective>> LevelChains { get; } = new();
    public List<NginxDirective> Maps { get; } = new();

    private static readonly HashSet<string> LevelBlocks = new(StringComparer.Ordinal) { "http", "server", "location", "if", "limit_except" };
    private static readonly Dictionary<string, string> PassModules = new(StringComparer.Ordinal)
    {
        ["proxy_pass"] = "proxy", ["fastcgi_pass"] = "fastcgi", ["uwsgi_pass"] = "uwsgi", ["scgi_pass"] = "scgi", ["grpc_pass"] = "grpc",
    };

    public ConfigModel(NginxConfig config)
    {
        Config = config;
        foreach (var http in config.Directives.Where(d => d.Name == "http" && d.Block is not null))
        {
            foreach (var d in Children(http))
            {
                if (d.Name == "upstream" && d.Args.Count == 1 && d.Block is not null) Upstreams[d.Args[0]] = new UpstreamInfo { Name = d.Args[0], Block = d };
                if (d.Name == "map" && d.Block is not null) Maps.Add(d);
            }
        }
        foreach (var http in config.Directives.Where(d => d.Name == "http" && d.Block is not null))
            Walk(http, new List<NginxDirective> { http });
    }

    private void Walk(NginxDirective block, List<NginxDirective> chain)
    {
        LevelChains.Add(chain.ToArray());
        foreach (var d in Children(block))
        {
            if (d.Block is not null && LevelBlocks.Contains(d.Name))
            {
                chain.Add(d);
                Walk(d, chain);
                chain.RemoveAt(chain.Count - 1);
            }
            else if (PassModules.TryGetValue(d.Name, out var module) && d.Args.Count >= 1)
            {
                var (name, dynamic) = TargetName(module, d.Args[0]);
                Upstreams.TryGetValue(name ?? "", out var up);
                var use = new ProxyUse { Pass = d, Module = module, Levels = chain.ToArray(), Upstream = up, IsDynamic = dynamic };
                Uses.Add(use);
                up?.Uses.Add(use);
            }
        }
    }

    /// <summary>The upstream name a pass target refers to ("http://app/x" → app; with a port, no explicit upstream matches).</summary>
    public static (string? Name, bool Dynamic) TargetName(string module, string target)
    {
        if (target.Contains('$')) return (null, true);
        var t = target;
        var scheme = t.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) t = t[(scheme + 3)..];
        var slash = t.IndexOf('/');
        if (slash >= 0) t = t[..slash];
        if (t.StartsWith("unix:", StringComparison.Ordinal)) return (null, false);
        return (t, false);
    }

    /// <summary>Direct children of a block (included files' directives are already inline).</summary>
    public static IReadOnlyList<NginxDirective> Children(NginxDirective block) =>
        block.Block?.Where(c => c.Name != "#" && c.Name != "include").ToList() ?? new List<NginxDirective>();

    /// <summary>Context path of a block itself ("http > upstream app").</summary>
    public static string PathOf(NginxDirective block)
    {
        string label;
        if (block.Name == "server")
        {
            var n = Children(block).FirstOrDefault(c => c.Name == "server_name") ?? Children(block).FirstOrDefault(c => c.Name == "listen");
            label = n is { Args.Count: > 0 } ? "server " + n.Args[0] : "server";
        }
        else label = block.Args.Count > 0 ? block.Name + " " + string.Join(' ', block.Args) : block.Name;
        return block.Context.Length == 0 ? label : block.Context + " > " + label;
    }

    /// <summary>Scalar merge: the directive at the nearest level that sets it (innermost first).</summary>
    public static NginxDirective? Effective(IReadOnlyList<NginxDirective> levels, string name)
    {
        for (int i = levels.Count - 1; i >= 0; i--)
        {
            var d = Children(levels[i]).LastOrDefault(c => c.Name == name);
            if (d is not null) return d;
        }
        return null;
    }

    /// <summary>Array-replace merge: all entries of the nearest level that defines any (innermost first).</summary>
    public static (int Level, IReadOnlyList<NginxDirective> Entries) EffectiveArray(IReadOnlyList<NginxDirective> levels, string name)
    {
        for (int i = levels.Count - 1; i >= 0; i--)
        {
            var list = Children(levels[i]).Where(c => c.Name == name).ToList();
            if (list.Count > 0) return (i, list);
        }
        return (-1, Array.Empty<NginxDirective>());
    }

    public static string Loc(NginxDirective d) => $"{d.File}:{d.Line}";
}
