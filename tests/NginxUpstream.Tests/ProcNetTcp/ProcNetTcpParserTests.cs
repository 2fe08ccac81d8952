using NginxUpstream.Model;
using NginxUpstream.Parsing.ProcNetTcp;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.ProcNetTcp;

public sealed class ProcNetTcpParserTests
{
    // The kernel's names (include/net/tcp_states.h) against the st column's hex value.
    [Theory]
    [InlineData("01", TcpState.Established)]
    [InlineData("02", TcpState.SynSent)]
    [InlineData("03", TcpState.SynRecv)]
    [InlineData("04", TcpState.FinWait1)]
    [InlineData("05", TcpState.FinWait2)]
    [InlineData("06", TcpState.TimeWait)]
    [InlineData("07", TcpState.Close)]
    [InlineData("08", TcpState.CloseWait)]
    [InlineData("09", TcpState.LastAck)]
    [InlineData("0A", TcpState.Listen)]
    [InlineData("0B", TcpState.Closing)]
    [InlineData("0C", TcpState.NewSynRecv)]
    [InlineData("0D", TcpState.BoundInactive)]
    public void State_column_maps_to_the_kernel_state(string hex, TcpState state)
    {
        var line = $"   3: 0100007F:1F40 0100007F:D6A8 {hex} 00000000:00000000 00:00000000 00000000  1000        0 4711 1 0000000000000000 20 0 0 10 -1";
        var e = ProcNetTcpParser.Parse(line, SocketFamily.IPv4, "t", 1, new ReadStats(), littleEndian: true);
        Assert.NotNull(e);
        Assert.Equal(state, e!.State);
        Assert.Equal(("127.0.0.1", 8000, 54952, 1000, 4711L), (e.Local.ToString(), e.LocalPort, e.RemotePort, e.Uid, e.Inode));
    }

    [Fact]
    public void Address_words_are_read_in_the_byte_order_of_the_host_that_printed_them()
    {
        var be = "   0: 7F000001:1F40 0A000005:0050 01 0000002A:00000010 00:00000000 00000003     0        0 1 1 0 20 0 0 10 -1";
        var e = ProcNetTcpParser.Parse(be, SocketFamily.IPv4, "t", 1, new ReadStats(), littleEndian: false)!;
        Assert.Equal(("127.0.0.1", 8000, "10.0.0.5", 80), (e.Local.ToString(), e.LocalPort, e.Remote.ToString(), e.RemotePort));
        Assert.Equal((42L, 16L, 3), (e.TxQueue, e.RxQueue, e.Retransmits));
        var v6 = "   0: B80D0120000000000000000001000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0";
        Assert.Equal("2001:db8::1", ProcNetTcpParser.Parse(v6, SocketFamily.IPv6, "t", 1, new ReadStats(), littleEndian: true)!.Local.ToString());
    }

    [Fact]
    public void An_ipv6_address_in_the_ipv4_file_is_a_bad_address()
    {
        var stats = new ReadStats();
        var line = "   0: 00000000000000000000000001000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0";
        Assert.Null(ProcNetTcpParser.Parse(line, SocketFamily.IPv4, "t", 1, stats, littleEndian: true));
        Assert.Equal(1, stats.Skipped[ProcNetTcpParser.ReasonBadAddress]);
    }
}
