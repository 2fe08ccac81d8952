namespace NginxUpstream.Analysis.Keepalive;

/// <summary>Inputs of the keepalive lint besides the config.</summary>
public sealed class KeepaliveLintOptions
{
    /// <summary>The nginx version the config runs on; null = unknown (both regimes are evaluated).</summary>
    public Version? NginxVersion { get; init; }
    /// <summary>Profile for every upstream without its own.</summary>
    public BackendProfile? Backend { get; init; }
    /// <summary>Per upstream name, overlaid on <see cref="Backend"/>.</summary>
    public IReadOnlyDictionary<string, BackendProfile> Upstreams { get; init; } = new Dictionary<string, BackendProfile>(StringComparer.Ordinal);

    public BackendProfile? ProfileFor(string? upstream)
    {
        if (upstream is not null && Upstreams.TryGetValue(upstream, out var p)) return Backend is null ? p : Backend.With(p);
        return Backend;
    }
}
