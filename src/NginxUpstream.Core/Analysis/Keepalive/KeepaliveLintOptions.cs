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

    /// <summary>
    /// The L7 load balancer / CDN in front of nginx (rule CK-LB): its idle timeout Tlb and a name
    /// for messages. Null = nginx is not declared to sit behind one, CK-LB stays silent.
    /// </summary>
    public LoadBalancerProfile? LoadBalancer { get; init; }

    /// <summary>
    /// Location patterns the user tags as upload endpoints (rule BODY-DEFAULT): wildcards (* ?)
    /// matched case-insensitively against a location's URI or regex, e.g. "/upload*", "*/import".
    /// </summary>
    public IReadOnlyList<string> UploadLocations { get; init; } = Array.Empty<string>();

    public BackendProfile? ProfileFor(string? upstream)
    {
        if (upstream is not null && Upstreams.TryGetValue(upstream, out var p)) return Backend is null ? p : Backend.With(p);
        return Backend;
    }

    /// <summary>A copy with another version (the cmdlet resolves it after binding).</summary>
    public KeepaliveLintOptions WithVersion(Version? version) => new()
    {
        NginxVersion = version, Backend = Backend, Upstreams = Upstreams, LoadBalancer = LoadBalancer, UploadLocations = UploadLocations,
    };
}
