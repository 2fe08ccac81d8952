namespace NginxUpstream.Probing;

public sealed class ProbeOptions
{
    /// <summary>The request target; null: the URL's path, else "/".</summary>
    public string? Path { get; set; }
    /// <summary>The Host header; null: the upstream's host:port ("localhost" for a unix socket).</summary>
    public string? HostHeader { get; set; }
    /// <summary>Limit for the connect, and separately for the whole response.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>After the response, keep the connection idle until the server closes it or MaxIdle passes.</summary>
    public bool IdleProbe { get; set; }
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromSeconds(75);
    /// <summary>Body bytes read at most (and discarded); beyond it the connection is abandoned.</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;
    /// <summary>How long to watch for a close right after a response that offered keepalive.</summary>
    public TimeSpan CloseGrace { get; set; } = TimeSpan.FromMilliseconds(200);
}
