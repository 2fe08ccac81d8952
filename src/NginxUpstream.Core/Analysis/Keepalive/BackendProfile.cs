namespace NginxUpstream.Analysis.Keepalive;

/// <summary>
/// What the backend does with connections and requests (reference nginx-config.md §2.6,
/// backend-logs.md §1). Null = unknown; <see cref="Never"/> = the backend never closes idle connections.
/// </summary>
public sealed record BackendProfile
{
    public static readonly TimeSpan Never = TimeSpan.MaxValue;

    public string Name { get; init; } = "custom";
    /// <summary>Tb: how long the backend keeps an idle keep-alive connection.</summary>
    public TimeSpan? IdleTimeout { get; init; }
    /// <summary>Tw: the backend's request/worker timeout.</summary>
    public TimeSpan? RequestTimeout { get; init; }
    /// <summary>Bb: the largest request body the backend accepts, bytes.</summary>
    public long? BodyLimit { get; init; }
    /// <summary>Rb: requests per connection before the backend closes it.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Overlays the values set in <paramref name="o"/>.</summary>
    public BackendProfile With(BackendProfile? o) => o is null ? this : this with
    {
        Name = o.Name != "custom" ? o.Name : Name,
        IdleTimeout = o.IdleTimeout ?? IdleTimeout,
        RequestTimeout = o.RequestTimeout ?? RequestTimeout,
        BodyLimit = o.BodyLimit ?? BodyLimit,
        MaxRequests = o.MaxRequests ?? MaxRequests,
    };

    public static IReadOnlyList<string> KnownNames => Known.Keys.ToArray();

    /// <summary>Documented defaults; hints to be overridden with the real values.</summary>
    public static readonly IReadOnlyDictionary<string, BackendProfile> Known = new Dictionary<string, BackendProfile>(StringComparer.OrdinalIgnoreCase)
    {
        // gunicorn `keepalive` 2 s, `timeout` 30 s (sync workers close after every response; gthread keeps alive).
        ["gunicorn"] = new() { Name = "gunicorn", IdleTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(30) },
        ["gunicorn-gthread"] = new() { Name = "gunicorn-gthread", IdleTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(30) },
        // uvicorn --timeout-keep-alive 5 s, no request timeout.
        ["uvicorn"] = new() { Name = "uvicorn", IdleTimeout = TimeSpan.FromSeconds(5) },
        // Node http.Server keepAliveTimeout 5 s (v12-v25), requestTimeout 300 s.
        ["node"] = new() { Name = "node", IdleTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(300) },
        // Puma persistent_timeout 20 s (<= 6.x), worker_timeout 60 s, max_keep_alive 999 (7.x).
        ["puma"] = new() { Name = "puma", IdleTimeout = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(60), MaxRequests = 999 },
        // Tomcat keepAliveTimeout = connectionTimeout, 20 s in the stock server.xml; maxKeepAliveRequests 100.
        ["tomcat"] = new() { Name = "tomcat", IdleTimeout = TimeSpan.FromSeconds(20), MaxRequests = 100 },
        // Jetty connector idleTimeout 30 s.
        ["jetty"] = new() { Name = "jetty", IdleTimeout = TimeSpan.FromSeconds(30) },
        // Kestrel KeepAliveTimeout 130 s, RequestHeadersTimeout 30 s, MaxRequestBodySize 30,000,000 B.
        ["kestrel"] = new() { Name = "kestrel", IdleTimeout = TimeSpan.FromSeconds(130), BodyLimit = 30_000_000 },
        // Go net/http: IdleTimeout 0 -> ReadTimeout 0 -> idle connections are never closed.
        ["go"] = new() { Name = "go", IdleTimeout = Never },
        // php-fpm: FastCGI connections are per request unless fastcgi_keep_conn; FPM never times out an idle one.
        ["php-fpm"] = new() { Name = "php-fpm", IdleTimeout = Never },
        // uWSGI protocol: one request per connection (no keep-alive); harakiri off by default.
        ["uwsgi"] = new() { Name = "uwsgi", IdleTimeout = Never },
    };
}
