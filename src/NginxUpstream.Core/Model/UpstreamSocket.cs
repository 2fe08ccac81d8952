namespace NginxUpstream.Model;

/// <summary>
/// TCP states as the kernel numbers them (include/net/tcp_states.h) and prints them, in hex, in
/// the st column of /proc/net/tcp. A number a newer kernel adds stays as its number.
/// </summary>
public enum TcpState
{
    Unknown = 0,
    Established = 1,
    /// <summary>connect() sent, no answer yet: a backlog toward a backend that does not answer SYNs.</summary>
    SynSent = 2,
    /// <summary>A connection request waiting for the final ACK (the kernel prints NEW_SYN_RECV requests as 3 too).</summary>
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    /// <summary>This side closed first; held for 60 s. Piles of it toward a backend mean no keepalive.</summary>
    TimeWait = 6,
    Close = 7,
    /// <summary>The peer closed and this side has not: on a backend, the application is not closing its sockets.</summary>
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
    NewSynRecv = 12,
    /// <summary>Bound but neither listening nor connected (inet_diag pseudo-state, kernel 6.5+).</summary>
    BoundInactive = 13,
}

/// <summary>Address family of a socket (which file it came from: /proc/net/tcp or tcp6).</summary>
public enum SocketFamily { IPv4, IPv6 }

/// <summary>
/// Which end of a connection this host holds: a listener, a connection accepted by one of this
/// host's listeners (the backend's side), or one this host opened (nginx's side toward a backend).
/// </summary>
public enum SocketRole { Listener, Inbound, Outbound }

/// <summary>A process holding a socket open (several do when workers inherit a listener).</summary>
public sealed class SocketOwner
{
    public int ProcessId { get; init; }
    /// <summary>/proc/PID/comm: the first 15 bytes of the executable name (as ss shows it).</summary>
    public string? ProcessName { get; init; }
    /// <summary>The file descriptor number in that process.</summary>
    public int FileDescriptor { get; init; }

    public override string ToString() => $"{ProcessName}({ProcessId})";
}

/// <summary>One TCP socket of this host, read from /proc/net/tcp or /proc/net/tcp6 (what `ss -tanp` lists).</summary>
/// <remarks>
/// Not a <see cref="LogRecord"/>: it is a moment of live kernel state, not evidence a log keeps
/// (its /proc line is gone a moment later), so it is not in the findings export set either.
/// Addresses are literal text: IPv4 dotted, IPv6 compressed (IPv4-mapped ones as
/// ::ffff:a.b.c.d, as the kernel holds them).
/// </remarks>
public sealed class UpstreamSocket
{
    public SocketFamily Family { get; init; }
    public string LocalAddress { get; init; } = "";
    public int LocalPort { get; init; }
    public string RemoteAddress { get; init; } = "";
    public int RemotePort { get; init; }
    public TcpState State { get; init; }
    /// <summary>True for a LISTEN socket.</summary>
    public bool IsListening => State == TcpState.Listen;
    public SocketRole Role { get; init; }
    /// <summary>Bytes sent and not yet acknowledged (ss Send-Q; 1 for the SYN of a SYN_SENT socket).</summary>
    public long TxQueue { get; init; }
    /// <summary>Bytes received and not yet read by the application; for a listener, the connections waiting in its accept queue (ss Recv-Q).</summary>
    public long RxQueue { get; init; }
    /// <summary>Unanswered retransmissions of the current timer (SYN retries in SYN_SENT).</summary>
    public int Retransmits { get; init; }
    public int Uid { get; init; }
    /// <summary>Socket inode; 0 for TIME_WAIT sockets and connection requests, which no process holds.</summary>
    public long Inode { get; init; }
    /// <summary>The lowest pid holding the socket (the master, when workers share a listener); null when no process holds it or its owner could not be read.</summary>
    public int? ProcessId => Owners.Count > 0 ? Owners[0].ProcessId : null;
    /// <summary>The name of <see cref="ProcessId"/>'s process.</summary>
    public string? ProcessName => Owners.Count > 0 ? Owners[0].ProcessName : null;
    /// <summary>Every process holding the socket, pid order.</summary>
    public IReadOnlyList<SocketOwner> Owners { get; init; } = Array.Empty<SocketOwner>();
    /// <summary>The -Upstream value the socket matched, when the query named upstreams.</summary>
    public string? Upstream { get; init; }
    /// <summary>The file read: PROCROOT/net/tcp or tcp6.</summary>
    public string? Source { get; init; }
    /// <summary>1-based line of the socket in <see cref="Source"/> at the time of the read.</summary>
    public long LineNumber { get; init; }
    /// <summary>The kernel's line, trailing padding removed.</summary>
    public string? Line { get; init; }

    /// <summary>"127.0.0.1:8000", "[::1]:9000".</summary>
    public string LocalEndPoint => FormatEndPoint(LocalAddress, LocalPort);
    public string RemoteEndPoint => FormatEndPoint(RemoteAddress, RemotePort);

    /// <summary>
    /// The endpoint on the upstream's side: the local one for listeners and accepted sockets, the
    /// remote one for outbound connections; an IPv4-mapped address as IPv4, so that connections
    /// from IPv4 and dual-stack clients to one backend count together.
    /// </summary>
    public string UpstreamEndPoint => Role == SocketRole.Outbound
        ? FormatEndPoint(Unmapped(RemoteAddress), RemotePort)
        : FormatEndPoint(Unmapped(LocalAddress), LocalPort);

    private static string Unmapped(string a) =>
        a.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase) && a.Contains('.') ? a[7..] : a;

    public static string FormatEndPoint(string address, int port) =>
        address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";

    public override string ToString() => $"{LocalEndPoint} -> {RemoteEndPoint} {State}";
}

/// <summary>
/// How many sockets toward one upstream endpoint are in one state (`ss -tan | awk | sort | uniq -c`).
/// </summary>
public sealed class UpstreamSocketSummary
{
    /// <summary>The upstream-side endpoint (see <see cref="UpstreamSocket.UpstreamEndPoint"/>).</summary>
    public string EndPoint { get; init; } = "";
    public SocketRole Role { get; init; }
    public TcpState State { get; init; }
    public int Count { get; init; }
    /// <summary>Sum of the Send-Q of these sockets.</summary>
    public long TxQueue { get; init; }
    /// <summary>Sum of the Recv-Q of these sockets (for a listener: its accept queue).</summary>
    public long RxQueue { get; init; }
    /// <summary>Distinct owning process names, "name(pid)" sorted.</summary>
    public IReadOnlyList<string> Processes { get; init; } = Array.Empty<string>();
    /// <summary>The -Upstream value these sockets matched, when the query named upstreams.</summary>
    public string? Upstream { get; init; }

    public override string ToString() => $"{Count} {State} {Role} {EndPoint}";
}
