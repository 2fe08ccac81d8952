namespace NginxUpstream.Analysis.Keepalive;

/// <summary>
/// An L7 load balancer or CDN in front of nginx and how long it keeps an idle connection to nginx
/// open for reuse (Tlb of rule CK-LB). Only products whose default is documented are listed.
/// </summary>
public sealed record LoadBalancerProfile(string Name, TimeSpan IdleTimeout, string Source)
{
    /// <summary>Documented defaults; the user's real setting (-LoadBalancerIdleTimeout) overrides them.</summary>
    public static readonly IReadOnlyDictionary<string, LoadBalancerProfile> Known = new Dictionary<string, LoadBalancerProfile>(StringComparer.OrdinalIgnoreCase)
    {
        // ELB docs, "Edit attributes for your Application Load Balancer": idle timeout 60 s by default;
        // AWS recommends the application's idle timeout be larger, else the ALB may send a request
        // on a connection the target is closing and return 502.
        ["alb"] = new("alb", TimeSpan.FromSeconds(60), "AWS ALB connection idle timeout, default 60 s"),
        // ELB docs, "Configure the idle connection timeout for your Classic Load Balancer": same 60 s
        // default and the same advice (instance keep-alive greater than the idle timeout).
        ["elb"] = new("elb", TimeSpan.FromSeconds(60), "AWS Classic Load Balancer idle timeout, default 60 s"),
        // Google Cloud TargetHttpProxy.httpKeepAliveTimeoutSec: 610 s when not set (global external
        // Application Load Balancer).
        ["gcp"] = new("gcp", TimeSpan.FromSeconds(610), "Google Cloud external Application Load Balancer HTTP keepalive timeout, default 610 s"),
        // Cloudflare "Connection limits": Proxy Idle Timeout 900 s between Cloudflare and the origin (520 at the limit).
        ["cloudflare"] = new("cloudflare", TimeSpan.FromSeconds(900), "Cloudflare proxy idle timeout to the origin, 900 s"),
        // CloudFront CustomOriginConfig.OriginKeepaliveTimeout: 5 s by default (1-60 s, more on request).
        ["cloudfront"] = new("cloudfront", TimeSpan.FromSeconds(5), "Amazon CloudFront origin keep-alive timeout, default 5 s"),
    };

    public static IReadOnlyList<string> KnownNames => Known.Keys.ToArray();
}
