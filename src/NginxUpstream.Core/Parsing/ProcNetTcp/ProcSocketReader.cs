using System.Net;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.ProcNetTcp;

/// <summary>Which sockets a read keeps. Every condition given must hold; an empty query keeps every socket.</summary>
public sealed class SocketQuery
{
    /// <summary>A socket is kept when its remote or its local endpoint is one of these (listeners: when they serve it).</summary>
    public IReadOnlyList<UpstreamEndpoint> Upstreams { get; init; } = Array.Empty<UpstreamEndpoint>();
    /// <summary>Local or remote port.</summary>
    public IReadOnlyCollection<int> Ports { get; init; } = Array.Empty<int>();
    public IReadOnlyCollection<TcpState> States { get; init; } = Array.Empty<TcpState>();
    public bool ListeningOnly { get; init; }
    /// <summary>Read /proc/PID/fd to name the owning processes.</summary>
    public bool ResolveOwners { get; init; } = true;
}

/// <summary>The result of one read: the sockets and the accounting for -Verbose.</summary>
public sealed class SocketSnapshot
{
    public List<UpstreamSocket> Sockets { get; } = new();
    /// <summary>Per file read: path and its stats (LinesRead, RecordsEmitted = sockets parsed, Skipped).</summary>
    public List<(string Path, ReadStats Stats)> FilesRead { get; } = new();
    /// <summary>Files that could not be read (tcp6 is absent when IPv6 is disabled).</summary>
    public List<(string Path, Exception Error)> FileErrors { get; } = new();
    public OwnerScanStats Owners { get; } = new();
}

/// <summary>
/// Reads this host's TCP sockets from PROCROOT/net/tcp and tcp6 (what ss -tan shows), decides
/// each one's role from the listeners of the same read, keeps those the query selects, and names
/// their owners from PROCROOT/PID/fd. The root is a parameter so tests and containers can point it
/// elsewhere (a host's /proc mounted at /host/proc).
/// </summary>
public static class ProcSocketReader
{
    public static SocketSnapshot Read(string procRoot, SocketQuery query, bool? littleEndian = null, CancellationToken cancel = default)
    {
        var le = littleEndian ?? BitConverter.IsLittleEndian;
        var snap = new SocketSnapshot();
        var entries = new List<ProcTcpEntry>();
        foreach (var (name, family) in new[] { ("tcp", SocketFamily.IPv4), ("tcp6", SocketFamily.IPv6) })
        {
            var path = Path.Combine(procRoot, "net", name);
            var stats = new ReadStats();
            try
            {
                long n = 0;
                foreach (var line in File.ReadLines(path))
                {
                    cancel.ThrowIfCancellationRequested();
                    n++;
                    stats.LinesRead++;
                    stats.BytesRead += line.Length + 1;
                    var e = ProcNetTcpParser.Parse(line, family, path, n, stats, le);
                    if (e is null) continue;
                    stats.RecordsEmitted++;
                    entries.Add(e);
                }
                snap.FilesRead.Add((path, stats));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                snap.FileErrors.Add((path, ex));
            }
        }

        // Listening endpoints, by port, to tell accepted connections from outbound ones.
        var listeners = entries.Where(e => e.State == TcpState.Listen)
            .ToLookup(e => e.LocalPort, e => (e.Family, e.Local));

        var kept = new List<(ProcTcpEntry Entry, SocketRole Role, string? Upstream)>();
        foreach (var e in entries)
        {
            var role = RoleOf(e, listeners);
            if (!Selected(e, role, query, out var upstream)) continue;
            kept.Add((e, role, upstream));
        }

        var owners = new Dictionary<long, List<SocketOwner>>();
        if (query.ResolveOwners)
        {
            var inodes = kept.Where(k => k.Entry.Inode != 0).Select(k => k.Entry.Inode).ToHashSet();
            owners = SocketOwnerScanner.Scan(procRoot, inodes, snap.Owners, cancel);
        }

        foreach (var (e, role, upstream) in kept)
        {
            owners.TryGetValue(e.Inode, out var own);
            snap.Sockets.Add(new UpstreamSocket
            {
                Source = e.Source, LineNumber = e.LineNumber, Line = e.Line,
                Family = e.Family, LocalAddress = e.Local.ToString(), LocalPort = e.LocalPort,
                RemoteAddress = e.Remote.ToString(), RemotePort = e.RemotePort, State = e.State, Role = role,
                TxQueue = e.TxQueue, RxQueue = e.RxQueue, Retransmits = e.Retransmits, Uid = e.Uid, Inode = e.Inode,
                Owners = own is null ? Array.Empty<SocketOwner>() : own.ToArray(),
                Upstream = upstream,
            });
        }
        return snap;
    }

    private static SocketRole RoleOf(ProcTcpEntry e, ILookup<int, (SocketFamily Family, IPAddress Local)> listeners)
    {
        if (e.State == TcpState.Listen) return SocketRole.Listener;
        foreach (var (family, local) in listeners[e.LocalPort])
        {
            if (family != e.Family) continue;
            if (local.Equals(e.Local) || local.Equals(IPAddress.Any) || local.Equals(IPAddress.IPv6Any)) return SocketRole.Inbound;
        }
        return SocketRole.Outbound;
    }

    private static bool Selected(ProcTcpEntry e, SocketRole role, SocketQuery q, out string? upstream)
    {
        upstream = null;
        if (q.ListeningOnly && e.State != TcpState.Listen) return false;
        if (q.States.Count > 0 && !q.States.Contains(e.State)) return false;
        if (q.Ports.Count > 0 && !q.Ports.Contains(e.LocalPort) && !q.Ports.Contains(e.RemotePort)) return false;
        if (q.Upstreams.Count == 0) return true;
        foreach (var u in q.Upstreams)
        {
            // Either end: the role is a guess from the listeners of this read, and a backend that
            // just died leaves its TIME_WAIT sockets behind with no listener to recognise them by.
            bool hit = role == SocketRole.Listener
                ? u.MatchesListener(e.Local, e.LocalPort)
                : u.Matches(e.Remote, e.RemotePort) || u.Matches(e.Local, e.LocalPort);
            if (hit) { upstream = u.Text; return true; }
        }
        return false;
    }

    /// <summary>One row per upstream endpoint, role and state, with the count (ss -tan | awk | sort | uniq -c).</summary>
    public static List<UpstreamSocketSummary> Summarize(IEnumerable<UpstreamSocket> sockets) =>
        sockets.GroupBy(s => (s.Upstream, EndPoint: s.UpstreamEndPoint, s.Role, s.State))
            .Select(g => new UpstreamSocketSummary
            {
                Upstream = g.Key.Upstream, EndPoint = g.Key.EndPoint, Role = g.Key.Role, State = g.Key.State,
                Count = g.Count(), TxQueue = g.Sum(s => s.TxQueue), RxQueue = g.Sum(s => s.RxQueue),
                Processes = g.SelectMany(s => s.Owners).Select(o => o.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray(),
            })
            .OrderBy(r => r.EndPoint, StringComparer.Ordinal).ThenBy(r => r.Role).ThenByDescending(r => r.Count).ThenBy(r => r.State)
            .ToList();

    /// <summary>Listeners first, then by the upstream-side endpoint, state and the other end's port.</summary>
    public static IEnumerable<UpstreamSocket> Ordered(IEnumerable<UpstreamSocket> sockets) =>
        sockets.OrderBy(s => s.Role == SocketRole.Listener ? 0 : 1)
            .ThenBy(s => s.Family).ThenBy(s => s.UpstreamEndPoint, StringComparer.Ordinal)
            .ThenBy(s => s.Role).ThenBy(s => s.State)
            .ThenBy(s => s.Role == SocketRole.Outbound ? s.LocalPort : s.RemotePort);
}
