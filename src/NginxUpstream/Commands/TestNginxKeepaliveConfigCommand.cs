using System.Collections;
using System.Management.Automation;
using NginxUpstream.Analysis.Keepalive;
using NginxUpstream.Internal;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Lints keepalive, retry, timeout and body-size settings of an nginx configuration against the
/// nginx version and the backend behind each upstream (reference rule set, ids such as KA-IDLE).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "NginxKeepaliveConfig", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ConfigFinding), ParameterSetName = new[] { PathSet, LiteralPathSet, DumpSet, ConfigSet })]
[OutputType(typeof(bool), ParameterSetName = new[] { PathSet, LiteralPathSet, DumpSet, ConfigSet })]
public sealed class TestNginxKeepaliveConfigCommand : NginxConfigCommandBase
{
    private const string ConfigSet = "Config";
    private readonly List<NginxConfig> _configs = new();

    /// <summary>A config from Get-NginxConfig -AsConfig.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ConfigSet)]
    public NginxConfig? Config { get; set; }

    /// <summary>The application server behind every upstream; its documented defaults are used.</summary>
    [Parameter]
    [ValidateSet("gunicorn", "gunicorn-gthread", "uvicorn", "node", "puma", "tomcat", "jetty", "kestrel", "go", "php-fpm", "uwsgi")]
    public string? Backend { get; set; }

    /// <summary>The backend's idle keep-alive timeout (TimeSpan, seconds, or 5s / 500ms); overrides -Backend.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? BackendKeepAliveTimeout { get; set; }

    /// <summary>The backend's request/worker timeout (TimeSpan, seconds, or 30s); overrides -Backend.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? BackendRequestTimeout { get; set; }

    /// <summary>The largest request body the backend accepts, in bytes (30MB works); overrides -Backend.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? BackendBodyLimit { get; set; }

    /// <summary>Per upstream name: a backend name, or a hashtable with Backend, KeepAliveTimeout, RequestTimeout, BodyLimit, MaxRequests.</summary>
    [Parameter]
    public Hashtable? Upstream { get; set; }

    /// <summary>
    /// nginx sits behind this L7 load balancer / CDN (rule CK-LB); its documented idle timeout is
    /// used unless -LoadBalancerIdleTimeout gives the real one.
    /// </summary>
    [Parameter]
    [ValidateSet("alb", "elb", "gcp", "cloudflare", "cloudfront")]
    public string? BehindLoadBalancer { get; set; }

    /// <summary>The idle timeout of the load balancer in front of nginx (TimeSpan, seconds, or 60s); enables CK-LB.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? LoadBalancerIdleTimeout { get; set; }

    /// <summary>Location patterns (wildcards, matched against a location's URI or regex) that accept uploads (rule BODY-DEFAULT).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? UploadLocation { get; set; }

    /// <summary>Return only $true (no warning or error findings) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        CollectDump();
        if (ParameterSetName == ConfigSet && Config is not null) _configs.Add(Config);
    }

    protected override void EndProcessing()
    {
        var options = BuildOptions();
        if (ParameterSetName != ConfigSet)
        {
            var cfg = LoadConfig(NginxConfigInput.Version(this, NginxVersion));
            if (cfg is null) { if (Quiet) WriteObject(false); return; }
            if (!Quiet) NginxConfigInput.ReportErrors(this, cfg);
            _configs.Add(cfg);
        }
        else if (NginxVersion is not null) options = options.WithVersion(NginxConfigInput.Version(this, NginxVersion));

        var clean = true;
        foreach (var cfg in _configs)
        {
            var findings = KeepaliveLinter.Lint(cfg, options);
            WriteVerbose($"{cfg.Source}: {findings.Count} finding(s); nginx version {(options.NginxVersion ?? cfg.NginxVersion)?.ToString() ?? "unknown (both regimes evaluated)"}.");
            clean &= cfg.Errors.All(e => e.Kind != NginxConfigErrorKind.Syntax) && KeepaliveLinter.IsClean(findings);
            if (!Quiet) foreach (var f in findings) WriteObject(f);
        }
        if (Quiet) WriteObject(clean);
    }

    private KeepaliveLintOptions BuildOptions()
    {
        var overrides = new BackendProfile { IdleTimeout = BackendKeepAliveTimeout, RequestTimeout = BackendRequestTimeout, BodyLimit = BackendBodyLimit };
        BackendProfile? backend = Backend is null ? null : BackendProfile.Known[Backend];
        if (BackendKeepAliveTimeout is not null || BackendRequestTimeout is not null || BackendBodyLimit is not null)
            backend = (backend ?? new BackendProfile()).With(overrides);
        var per = new Dictionary<string, BackendProfile>(StringComparer.Ordinal);
        if (Upstream is not null)
            foreach (DictionaryEntry e in Upstream) per[e.Key.ToString()!] = ToProfile(e.Key.ToString()!, e.Value);
        // Version is resolved later for Path/Dump (nginx -v or the parameter); Config keeps its own.
        return new KeepaliveLintOptions { Backend = backend, Upstreams = per, LoadBalancer = LoadBalancer(), UploadLocations = UploadLocation ?? Array.Empty<string>() };
    }

    private LoadBalancerProfile? LoadBalancer()
    {
        if (LoadBalancerIdleTimeout is { } t && t <= TimeSpan.Zero)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-LoadBalancerIdleTimeout must be positive, got {t}."), "InvalidLoadBalancerIdleTimeout", ErrorCategory.InvalidArgument, t));
        var preset = BehindLoadBalancer is null ? null : LoadBalancerProfile.Known[BehindLoadBalancer];
        if (LoadBalancerIdleTimeout is not { } idle) return preset;
        return preset is null
            ? new LoadBalancerProfile("load balancer", idle, "-LoadBalancerIdleTimeout")
            : preset with { IdleTimeout = idle, Source = "-LoadBalancerIdleTimeout" };
    }

    private BackendProfile ToProfile(string name, object? value)
    {
        var v = value is PSObject p ? p.BaseObject : value;
        if (v is string s)
        {
            if (BackendProfile.Known.TryGetValue(s, out var known)) return known;
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Upstream '{name}': unknown backend '{s}'. Known: {string.Join(", ", BackendProfile.KnownNames)}."), "UnknownBackend", ErrorCategory.InvalidArgument, s));
        }
        if (v is not IDictionary d)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Upstream '{name}': use a backend name or a hashtable (Backend, KeepAliveTimeout, RequestTimeout, BodyLimit, MaxRequests)."), "InvalidUpstreamProfile", ErrorCategory.InvalidArgument, v));
            return null!;
        }
        var t = new DurationTransformationAttribute();
        object? Get(string key) { foreach (DictionaryEntry e in d) if (string.Equals(e.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase)) return e.Value is PSObject q ? q.BaseObject : e.Value; return null; }
        var baseProfile = Get("Backend") is string b && BackendProfile.Known.TryGetValue(b, out var kb) ? kb : new BackendProfile { Name = name };
        try
        {
            return baseProfile.With(new BackendProfile
            {
                IdleTimeout = (TimeSpan?)t.Transform(null!, Get("KeepAliveTimeout")),
                RequestTimeout = (TimeSpan?)t.Transform(null!, Get("RequestTimeout")),
                BodyLimit = Get("BodyLimit") is { } bl ? Convert.ToInt64(bl) : null,
                MaxRequests = Get("MaxRequests") is { } mr ? Convert.ToInt32(mr) : null,
            });
        }
        catch (Exception e) when (e is ArgumentTransformationMetadataException or FormatException or InvalidCastException or OverflowException)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Upstream '{name}': {e.Message}", e), "InvalidUpstreamProfile", ErrorCategory.InvalidArgument, v));
            return null!;
        }
    }
}
