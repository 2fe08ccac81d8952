using System.Net;
using NginxUpstream.Model;
using NginxUpstream.Parsing.ProcNetTcp;
using Xunit;

namespace NginxUpstream.Tests.ProcNetTcp;

/// <summary>The reader on /proc/net/tcp{,6} captured from real loopback sockets (see the fixture README).</summary>
public sealed class ProcSocketReaderTests : IClassFixture<ProcFixture>
{
    private readonly ProcFixture _fx;
    public ProcSocketReaderTests(ProcFixture fx) => _fx = fx;

    private SocketSnapshot ReadAll() => ProcSocketReader.Read(_fx.Root, new SocketQuery(), littleEndian: true);

    private static UpstreamSocket Find(SocketSnapshot snap, System.Text.Json.JsonElement s)
    {
        var local = s.GetProperty("local"); var remote = s.GetProperty("remote");
        return Assert.Single(snap.Sockets, x =>
            x.LocalAddress == local.GetProperty("address").GetString() && x.LocalPort == local.GetProperty("port").GetInt32()
            && x.RemoteAddress == remote.GetProperty("address").GetString() && x.RemotePort == remote.GetProperty("port").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ProcFixture.SocketNames), MemberType = typeof(ProcFixture))]
    public void Every_captured_socket_is_read_field_by_field(string name)
    {
        var snap = ReadAll();
        var e = _fx.Socket(name);
        var s = Find(snap, e);
        Assert.Equal(e.GetProperty("family").GetString(), s.Family.ToString());
        Assert.Equal(e.GetProperty("state").GetString()!.Replace("_", ""), s.State.ToString(), ignoreCase: true);
        Assert.Equal(e.GetProperty("inode").GetInt64(), s.Inode);
        Assert.Equal(0, s.Uid); // captured as root
        Assert.Equal(s.State == TcpState.Listen, s.IsListening);
        Assert.EndsWith(s.Family == SocketFamily.IPv4 ? "/net/tcp" : "/net/tcp6", s.Source);
        Assert.StartsWith(s.LineNumber - 2 + ":", s.Line!.TrimStart()); // "sl" counts from 0 after the header
        if (s.Inode == 0)
        {
            Assert.Null(s.ProcessId);
            Assert.Empty(s.Owners);
        }
        else
        {
            // Both the capturing process and its forked worker hold every socket; the lower pid is named.
            Assert.Equal(Math.Min(_fx.MasterPid, _fx.WorkerPid), s.ProcessId);
            Assert.Equal(s.ProcessId == _fx.MasterPid ? "fixture-master" : "fixture-worker", s.ProcessName);
            Assert.Equal(new[] { _fx.MasterPid, _fx.WorkerPid }.Order(), s.Owners.Select(o => o.ProcessId));
            Assert.Equal(new[] { "fixture-master", "fixture-worker" }.Order(), s.Owners.Select(o => o.ProcessName!).Order());
            Assert.All(s.Owners, o => Assert.True(o.FileDescriptor > 2));
        }
    }

    [Theory]
    [InlineData("listen4", SocketRole.Listener)]
    [InlineData("est4-client", SocketRole.Outbound)]
    [InlineData("est4-server", SocketRole.Inbound)]
    [InlineData("finwait2-client", SocketRole.Outbound)]
    [InlineData("closewait-server", SocketRole.Inbound)]
    [InlineData("timewait-client", SocketRole.Outbound)]
    [InlineData("timewait-server", SocketRole.Inbound)]
    [InlineData("est6-client", SocketRole.Outbound)]
    [InlineData("est6-server", SocketRole.Inbound)]
    [InlineData("mapped-client", SocketRole.Outbound)]
    [InlineData("mapped-server", SocketRole.Inbound)] // accepted by the [::] listener
    public void Roles_follow_the_listeners_of_the_same_read(string name, SocketRole role) =>
        Assert.Equal(role, Find(ReadAll(), _fx.Socket(name)).Role);

    [Fact]
    public void Ipv6_and_ipv4_mapped_addresses_decode_from_four_host_order_words()
    {
        var snap = ReadAll();
        var mapped = Find(snap, _fx.Socket("mapped-server"));
        Assert.Equal(SocketFamily.IPv6, mapped.Family);
        Assert.Equal("::ffff:127.0.0.1", mapped.LocalAddress);
        Assert.Equal($"[::ffff:127.0.0.1]:{mapped.LocalPort}", mapped.LocalEndPoint);
        Assert.Equal($"127.0.0.1:{mapped.LocalPort}", mapped.UpstreamEndPoint); // counted with IPv4
        Assert.Contains("0000000000000000FFFF00000100007F:", mapped.Line);
        var v6 = Find(snap, _fx.Socket("listen6"));
        Assert.Equal("::1", v6.LocalAddress);
        Assert.Equal("::", v6.RemoteAddress);
        Assert.StartsWith("00000000000000000000000001000000:", v6.Line!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public void A_listener_that_never_accepts_shows_its_accept_queue_and_the_clients_stuck_in_SYN_SENT()
    {
        var snap = ReadAll();
        int port = _fx.Capture.GetProperty("listenFullPort").GetInt32();
        var clients = _fx.Capture.GetProperty("synClients").EnumerateArray().ToList();
        var listener = Assert.Single(snap.Sockets, s => s.State == TcpState.Listen && s.LocalPort == port);
        int connected = clients.Count(c => c.GetProperty("connected").GetBoolean());
        Assert.Equal(connected, listener.RxQueue); // ss Recv-Q of a listener: its accept queue
        foreach (var c in clients)
        {
            var lp = c.GetProperty("local").GetProperty("port").GetInt32();
            var s = Assert.Single(snap.Sockets, x => x.LocalPort == lp && x.RemotePort == port);
            if (c.GetProperty("connected").GetBoolean()) Assert.Equal(TcpState.Established, s.State);
            else
            {
                Assert.Equal(TcpState.SynSent, s.State);
                Assert.Equal(1, s.TxQueue); // the SYN
                Assert.Equal(SocketRole.Outbound, s.Role);
            }
        }
        // The queued connection's server end exists but no process holds it yet: inode 0.
        var queued = Assert.Single(snap.Sockets, x => x.LocalPort == port && x.Role == SocketRole.Inbound);
        Assert.Equal(0, queued.Inode);
        Assert.Null(queued.ProcessId);
    }

    [Fact]
    public void Close_wait_shows_the_unread_fin_and_the_header_is_not_a_socket()
    {
        var snap = ReadAll();
        var cw = Find(snap, _fx.Socket("closewait-server"));
        Assert.Equal(TcpState.CloseWait, cw.State);
        var tcp = Assert.Single(snap.FilesRead, f => f.Path.EndsWith("/net/tcp"));
        var lines = File.ReadAllLines(Path.Combine(ProcFixture.Dir, "tcp"));
        Assert.Equal(lines.Length, tcp.Stats.LinesRead);
        Assert.Equal(lines.Length - 1, tcp.Stats.RecordsEmitted);
        Assert.Equal(0, tcp.Stats.SkippedTotal);
        Assert.Equal(lines.Length - 1 + File.ReadAllLines(Path.Combine(ProcFixture.Dir, "tcp6")).Length - 1, snap.Sockets.Count);
    }

    [Fact]
    public void An_upstream_selects_its_listener_the_connections_to_it_and_the_backend_side()
    {
        var listen = _fx.Socket("listen4");
        int port = listen.GetProperty("local").GetProperty("port").GetInt32();
        UpstreamEndpoint.TryParse($"127.0.0.1:{port}", out var up);
        var snap = ProcSocketReader.Read(_fx.Root, new SocketQuery { Upstreams = new[] { up! } }, littleEndian: true);
        var expected = _fx.Capture.GetProperty("sockets").EnumerateArray()
            .Where(s => s.GetProperty("local").GetProperty("port").GetInt32() == port || s.GetProperty("remote").GetProperty("port").GetInt32() == port)
            .Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(7, expected.Count);
        // Everything captured toward that port, plus older TIME_WAITs of the same port in the file; nothing else.
        Assert.True(snap.Sockets.Count >= expected.Count);
        Assert.All(snap.Sockets, s => Assert.True(s.LocalPort == port || s.RemotePort == port));
        Assert.All(snap.Sockets, s => Assert.Equal($"127.0.0.1:{port}", s.Upstream));
        foreach (var name in expected) Find(snap, _fx.Socket(name!));
    }

    [Fact]
    public void A_dead_backends_sockets_still_belong_to_its_upstream()
    {
        // The capture with the backend's listener gone (as after a crash): its TIME_WAIT and
        // CLOSE_WAIT sockets are no longer recognisable as accepted ones, yet they are its sockets.
        var listen = _fx.Socket("listen4");
        int port = listen.GetProperty("local").GetProperty("port").GetInt32();
        var root = Path.Combine(Path.GetTempPath(), "nu-proc-dead-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path.Combine(root, "net"));
        try
        {
            var hex = $"0100007F:{port:X4} 00000000:0000 0A ";
            var lines = File.ReadAllLines(Path.Combine(ProcFixture.Dir, "tcp"));
            File.WriteAllLines(Path.Combine(root, "net", "tcp"), lines.Where(l => !l.Contains(hex)));
            Assert.Equal(lines.Length - 1, File.ReadAllLines(Path.Combine(root, "net", "tcp")).Length);
            UpstreamEndpoint.TryParse($"127.0.0.1:{port}", out var up);
            var snap = ProcSocketReader.Read(root, new SocketQuery { Upstreams = new[] { up! }, ResolveOwners = false }, littleEndian: true);
            var tw = Find(snap, _fx.Socket("timewait-server"));
            Assert.Equal(SocketRole.Outbound, tw.Role); // no listener left to tell
            Find(snap, _fx.Socket("closewait-server"));
            Assert.DoesNotContain(snap.Sockets, s => s.IsListening);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void A_dual_stack_listener_serves_an_ipv4_upstream_and_mapped_sockets_match_it()
    {
        int port = _fx.Socket("listen-dual").GetProperty("local").GetProperty("port").GetInt32();
        UpstreamEndpoint.TryParse($"127.0.0.1:{port}", out var up);
        var snap = ProcSocketReader.Read(_fx.Root, new SocketQuery { Upstreams = new[] { up! } }, littleEndian: true);
        Assert.Contains(snap.Sockets, s => s.State == TcpState.Listen && s.LocalAddress == "::");
        Assert.Contains(snap.Sockets, s => s.LocalAddress == "::ffff:127.0.0.1" && s.Role == SocketRole.Inbound);
        Assert.Contains(snap.Sockets, s => s.Family == SocketFamily.IPv4 && s.Role == SocketRole.Outbound);
        // ::1 is not 127.0.0.1: the IPv6-only backend stays out.
        int v6port = _fx.Socket("listen6").GetProperty("local").GetProperty("port").GetInt32();
        Assert.DoesNotContain(snap.Sockets, s => s.LocalPort == v6port || s.RemotePort == v6port);
    }

    [Fact]
    public void Filters_combine_and_summary_counts_per_endpoint_role_and_state()
    {
        int port = _fx.Socket("listen4").GetProperty("local").GetProperty("port").GetInt32();
        var all = ProcSocketReader.Read(_fx.Root, new SocketQuery { Ports = new[] { port } }, littleEndian: true).Sockets;
        var listening = ProcSocketReader.Read(_fx.Root, new SocketQuery { Ports = new[] { port }, ListeningOnly = true }, littleEndian: true).Sockets;
        Assert.Equal(TcpState.Listen, Assert.Single(listening).State);
        var tw = ProcSocketReader.Read(_fx.Root, new SocketQuery { Ports = new[] { port }, States = new[] { TcpState.TimeWait } }, littleEndian: true).Sockets;
        Assert.Equal(all.Count(s => s.State == TcpState.TimeWait), tw.Count);
        Assert.True(tw.Count >= 2);

        var rows = ProcSocketReader.Summarize(all);
        Assert.Equal(all.Count, rows.Sum(r => r.Count));
        var est = Assert.Single(rows, r => r.Role == SocketRole.Outbound && r.State == TcpState.Established);
        Assert.Equal($"127.0.0.1:{port}", est.EndPoint);
        Assert.Equal(1, est.Count);
        Assert.Equal(new[] { $"fixture-master({_fx.MasterPid})", $"fixture-worker({_fx.WorkerPid})" }.Order(StringComparer.Ordinal), est.Processes);
        var twOut = Assert.Single(rows, r => r.Role == SocketRole.Outbound && r.State == TcpState.TimeWait);
        Assert.Equal(all.Count(s => s.State == TcpState.TimeWait && s.Role == SocketRole.Outbound), twOut.Count);
        Assert.Empty(twOut.Processes);
    }

    [Fact]
    public void Unparseable_lines_are_counted_by_reason_and_the_good_lines_still_read()
    {
        var root = Path.Combine(Path.GetTempPath(), "nu-proc-bad-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path.Combine(root, "net"));
        try
        {
            var lines = File.ReadAllLines(Path.Combine(ProcFixture.Dir, "tcp")).ToList();
            var good = lines.Count - 1;
            var sample = lines[1];
            var f = sample.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            lines.Add(string.Join(' ', f.Take(6)));                                  // cut short
            lines.Add(sample.Replace(f[1], "0100007G:1F40"));                         // not hex
            lines.Add(sample.Replace(f[1], "0100007F1F40"));                          // no port separator
            lines.Add(sample.Replace(" " + f[3] + " ", " 0Z "));                      // bad state
            lines.Add(sample.Replace(f[9], "12ab"));                                  // inode not decimal
            lines.Add("");                                                           // blank: not counted
            File.WriteAllLines(Path.Combine(root, "net", "tcp"), lines);
            var snap = ProcSocketReader.Read(root, new SocketQuery { ResolveOwners = false }, littleEndian: true);
            var tcp = Assert.Single(snap.FilesRead);
            Assert.Equal(good, tcp.Stats.RecordsEmitted);
            Assert.Equal(5, tcp.Stats.SkippedTotal);
            Assert.Equal(1, tcp.Stats.Skipped[ProcNetTcpParser.ReasonTooFewFields]);
            Assert.Equal(2, tcp.Stats.Skipped[ProcNetTcpParser.ReasonBadAddress]);
            Assert.Equal(2, tcp.Stats.Skipped[ProcNetTcpParser.ReasonBadNumber]);
            // tcp6 is missing here: reported, not thrown.
            Assert.EndsWith("tcp6", Assert.Single(snap.FileErrors).Path);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Unreadable_and_vanished_processes_are_counted_and_skipped()
    {
        var root = Path.Combine(Path.GetTempPath(), "nu-proc-own-" + Guid.NewGuid().ToString("n"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "100", "fd"));
            File.WriteAllText(Path.Combine(root, "100", "comm"), "gunicorn\n");
            File.CreateSymbolicLink(Path.Combine(root, "100", "fd", "5"), "socket:[4242]");
            File.CreateSymbolicLink(Path.Combine(root, "100", "fd", "6"), "pipe:[4242]");
            Directory.CreateDirectory(Path.Combine(root, "200"));                  // exited: no fd folder
            Directory.CreateDirectory(Path.Combine(root, "self"));                 // not a pid
            var stats = new OwnerScanStats();
            var owners = SocketOwnerScanner.Scan(root, new HashSet<long> { 4242, 7 }, stats);
            var o = Assert.Single(Assert.Single(owners).Value);
            Assert.Equal((100, "gunicorn", 5), (o.ProcessId, o.ProcessName, o.FileDescriptor));
            Assert.Equal(2, stats.ProcessesScanned);
            Assert.Equal(1, stats.ProcessesUnreadable);
            Assert.Equal(1, stats.SocketDescriptors);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void The_real_proc_of_this_machine_parses_without_skips_and_finds_this_process_listener()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        try
        {
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            var snap = ProcSocketReader.Read("/proc", new SocketQuery { Ports = new[] { port }, ListeningOnly = true });
            Assert.All(snap.FilesRead, f => Assert.Equal(0, f.Stats.SkippedTotal));
            var s = Assert.Single(snap.Sockets);
            Assert.Equal(("127.0.0.1", port, Environment.ProcessId), (s.LocalAddress, s.LocalPort, s.ProcessId));
        }
        finally { l.Stop(); }
    }
}
