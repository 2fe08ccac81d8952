namespace NginxUpstream.Model;

/// <summary>How the server ended an idle kept-alive connection during an idle probe.</summary>
public enum IdleClose
{
    /// <summary>No idle probe was made (not asked, or the connection could not be kept).</summary>
    None,
    /// <summary>The server closed with FIN (a read returned 0): its keepalive idle timeout expired.</summary>
    Fin,
    /// <summary>The server (or a middlebox) reset the connection: what nginx logs as 104.</summary>
    Reset,
    /// <summary>Still open when -MaxIdle passed: the server's idle timeout is longer (or none).</summary>
    StillOpen,
}

/// <summary>
/// One direct request to an upstream, bypassing nginx (the `curl http://backend/` step): whether
/// it connects (or the errno nginx would log), the response, whether the backend keeps the
/// connection, and with an idle probe how long the backend really keeps an idle connection.
/// </summary>
public sealed class UpstreamProbe
{
    /// <summary>The upstream as given (host:port, [v6]:port, URL authority, unix:/path).</summary>
    public string Upstream { get; set; } = "";
    /// <summary>The address connected to (or last tried): an IP literal, or the unix socket path.</summary>
    public string? Address { get; set; }
    public int? Port { get; set; }
    /// <summary>The request path sent.</summary>
    public string Path { get; set; } = "/";
    public bool Connected { get; set; }
    public double? ConnectMs { get; set; }
    /// <summary>The Linux errno of the failure (111 refused, 110 timed out, 104 reset...), when there is one.</summary>
    public int? Errno { get; set; }
    /// <summary>Its name: ECONNREFUSED, ETIMEDOUT, ECONNRESET, EHOSTUNREACH, ENOENT... (EAI_NONAME/EAI_AGAIN for name resolution).</summary>
    public string? ErrnoName { get; set; }
    /// <summary>What went wrong, in words (null when the request completed).</summary>
    public string? Error { get; set; }
    public string? HttpVersion { get; set; }
    public int? Status { get; set; }
    /// <summary>The HTTP reason phrase of the status line.</summary>
    public string? Reason { get; set; }
    public double? FirstByteMs { get; set; }
    public double? TotalMs { get; set; }
    public string? Server { get; set; }
    /// <summary>The response's Connection header as sent (null when absent).</summary>
    public string? ConnectionHeader { get; set; }
    /// <summary>Whether the response lets the connection be reused (HTTP/1.1 without Connection: close, or HTTP/1.0 with keep-alive).</summary>
    public bool KeepAliveOffered { get; set; }
    /// <summary>The timeout=N of a Keep-Alive response header, when sent.</summary>
    public int? KeepAliveTimeoutHeader { get; set; }
    /// <summary>Body bytes read (and discarded).</summary>
    public long BodyBytes { get; set; }
    /// <summary>How the body was delimited: Content-Length, Chunked, Close (read until close) or None.</summary>
    public string? BodyFraming { get; set; }
    /// <summary>The body was longer than the cap and was not read to its end.</summary>
    public bool BodyTruncated { get; set; }
    /// <summary>The server closed (FIN or reset) right after the response.</summary>
    public bool ClosedAfterResponse { get; set; }
    /// <summary>With -IdleProbe: how long the server kept the idle connection before closing it (null: still open at MaxIdle, or not probed).</summary>
    public TimeSpan? ServerIdleTimeout { get; set; }
    public IdleClose IdleClose { get; set; }
    /// <summary>Bytes the server sent on the idle connection before closing it (some send a 408 first).</summary>
    public long IdleBytes { get; set; }
    /// <summary>When the probe started (UTC).</summary>
    public DateTimeOffset Time { get; set; }
}
