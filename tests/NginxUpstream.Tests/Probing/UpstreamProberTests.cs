using System.Diagnostics;
using NginxUpstream.Model;
using NginxUpstream.Probing;
using Xunit;

namespace NginxUpstream.Tests.Probing;

public class UpstreamProberTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nServer: tiny/1.0\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1, max=100\r\n\r\nhello";

    private static ProbeTarget T(string text)
    {
        Assert.Equal(ProbeTargetProblem.None, ProbeTarget.TryParse(text, out var t));
        return t!;
    }

    private static UpstreamProbe Probe(int port, bool idle = false, TimeSpan? maxIdle = null, string? path = null, double timeoutSec = 5) =>
        UpstreamProber.Probe(T($"127.0.0.1:{port}"), new ProbeOptions
        {
            Path = path, IdleProbe = idle, MaxIdle = maxIdle ?? TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(timeoutSec),
        });

    [Fact]
    public void KeepAliveServer_IdleCloseAfterOneSecond_IsMeasuredAsFin()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.IdleThenFin, TimeSpan.FromSeconds(1));
        var p = Probe(s.Port, idle: true);
        Assert.True(p.Connected);
        Assert.NotNull(p.ConnectMs);
        Assert.Equal(200, p.Status);
        Assert.Equal("OK", p.Reason);
        Assert.Equal("HTTP/1.1", p.HttpVersion);
        Assert.Equal("tiny/1.0", p.Server);
        Assert.Equal("keep-alive", p.ConnectionHeader);
        Assert.True(p.KeepAliveOffered);
        Assert.Equal(1, p.KeepAliveTimeoutHeader);
        Assert.Equal(5, p.BodyBytes);
        Assert.Equal("Content-Length", p.BodyFraming);
        Assert.False(p.ClosedAfterResponse);
        Assert.Equal(IdleClose.Fin, p.IdleClose);
        Assert.NotNull(p.ServerIdleTimeout);
        Assert.InRange(p.ServerIdleTimeout!.Value.TotalSeconds, 0.8, 2.0);
        Assert.True(p.FirstByteMs <= p.TotalMs);
        Assert.Null(p.ErrnoName);
        // The request as nginx's upstream module would send it with keepalive on.
        Assert.StartsWith("GET / HTTP/1.1\r\n", s.Request);
        Assert.Contains($"\r\nHost: 127.0.0.1:{s.Port}\r\n", s.Request);
        Assert.Contains("\r\nConnection: keep-alive\r\n", s.Request);
        Assert.Contains("\r\nUser-Agent: NginxUpstream\r\n", s.Request);
    }

    [Fact]
    public void ResetOnIdle_IsReset()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.IdleThenReset, TimeSpan.FromMilliseconds(700));
        var p = Probe(s.Port, idle: true);
        Assert.Equal(200, p.Status);
        Assert.Equal(IdleClose.Reset, p.IdleClose);
        Assert.InRange(p.ServerIdleTimeout!.Value.TotalSeconds, 0.5, 1.8);
    }

    [Fact]
    public void StillOpenAtMaxIdle_HasNoIdleTimeout()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.KeepOpen);
        var sw = Stopwatch.StartNew();
        var p = Probe(s.Port, idle: true, maxIdle: TimeSpan.FromMilliseconds(800));
        Assert.Equal(IdleClose.StillOpen, p.IdleClose);
        Assert.Null(p.ServerIdleTimeout);
        Assert.False(p.ClosedAfterResponse);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.7, 3);
    }

    [Fact]
    public void ConnectionClose_ClosedAfterResponse()
    {
        using var s = new TinyHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", AfterResponse.CloseNow);
        var p = Probe(s.Port, idle: true);
        Assert.Equal(200, p.Status);
        Assert.False(p.KeepAliveOffered);
        Assert.True(p.ClosedAfterResponse);
        Assert.Equal(IdleClose.Fin, p.IdleClose);
        Assert.InRange(p.ServerIdleTimeout!.Value.TotalSeconds, 0, 0.5);
    }

    [Fact]
    public void WithoutIdleProbe_NoIdleFieldsAndNoWait()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.KeepOpen);
        var sw = Stopwatch.StartNew();
        var p = Probe(s.Port);
        Assert.Equal(200, p.Status);
        Assert.Equal(IdleClose.None, p.IdleClose);
        Assert.Null(p.ServerIdleTimeout);
        Assert.False(p.ClosedAfterResponse);
        Assert.True(sw.Elapsed.TotalSeconds < 2);
    }

    [Fact]
    public void ChunkedBody_IsReadToTheEnd_AndTheConnectionStaysUsable()
    {
        const string chunked = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n";
        using var s = new TinyHttpServer(chunked, AfterResponse.IdleThenFin, TimeSpan.FromMilliseconds(600));
        var p = Probe(s.Port, idle: true, path: "/missing?x=1");
        Assert.Equal(404, p.Status);
        Assert.Equal("Not Found", p.Reason);
        Assert.Equal("Chunked", p.BodyFraming);
        Assert.Equal(31, p.BodyBytes);
        Assert.Equal(0, p.IdleBytes); // the trailer was consumed: nothing left over
        Assert.Equal(IdleClose.Fin, p.IdleClose);
        Assert.StartsWith("GET /missing?x=1 HTTP/1.1\r\n", s.Request);
    }

    [Fact]
    public void BodyUntilClose_Http10()
    {
        using var s = new TinyHttpServer("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until close", AfterResponse.CloseNow);
        var p = Probe(s.Port);
        Assert.Equal("HTTP/1.0", p.HttpVersion);
        Assert.Equal("Close", p.BodyFraming);
        Assert.Equal(16, p.BodyBytes);
        Assert.False(p.KeepAliveOffered);
        Assert.True(p.ClosedAfterResponse);
    }

    [Fact]
    public void InterimContinue_IsSkipped()
    {
        using var s = new TinyHttpServer("HTTP/1.1 100 Continue\r\n\r\n" + Ok, AfterResponse.CloseNow);
        var p = Probe(s.Port);
        Assert.Equal(200, p.Status);
        Assert.Equal(5, p.BodyBytes);
    }

    [Fact]
    public void ClosedPort_IsEconnrefused_NotAnException()
    {
        var p = Probe(TinyHttpServer.ClosedPort());
        Assert.False(p.Connected);
        Assert.Equal(111, p.Errno);
        Assert.Equal("ECONNREFUSED", p.ErrnoName);
        Assert.Null(p.Status);
        Assert.Null(p.ConnectMs);
        Assert.Equal("127.0.0.1", p.Address);
    }

    [Fact]
    public void CloseBeforeResponse_IsPrematureClose()
    {
        using var s = new TinyHttpServer("", AfterResponse.CloseNow, respond: false);
        var p = Probe(s.Port);
        Assert.True(p.Connected);
        Assert.Null(p.Status);
        Assert.Contains("prematurely closed", p.Error);
    }

    [Fact]
    public void NoResponse_TimesOutAsEtimedout()
    {
        using var s = new TinyHttpServer("", AfterResponse.KeepOpen, respond: true);
        // The timeout covers the connect too: 0.5 s sometimes ran out before the loopback connect
        // completed while the parallel test run kept both cores busy (CI, once).
        var p = Probe(s.Port, timeoutSec: 2);
        Assert.True(p.Connected, $"not connected: {p.ErrnoName} {p.Error}");
        Assert.Null(p.Status);
        Assert.Equal("ETIMEDOUT", p.ErrnoName);
        Assert.Equal(110, p.Errno);
    }

    [Fact]
    public void ContentLengthShortBody_IsReported()
    {
        using var s = new TinyHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", AfterResponse.CloseNow);
        var p = Probe(s.Port);
        Assert.Equal(200, p.Status);
        Assert.Contains("5 of 100", p.Error);
    }

    [Fact]
    public void Cancellation_StopsAnIdleProbe()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.KeepOpen);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var sw = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            UpstreamProber.Probe(T($"127.0.0.1:{s.Port}"), new ProbeOptions { IdleProbe = true, MaxIdle = TimeSpan.FromSeconds(30) }, null, cts.Token));
        Assert.True(sw.Elapsed.TotalSeconds < 5);
    }

    [Fact]
    public void UnixSocket_MissingPath_IsEnoent()
    {
        var p = UpstreamProber.Probe(T("unix:/nonexistent/nginxupstream-test.sock"), new ProbeOptions());
        Assert.False(p.Connected);
        Assert.Equal("ENOENT", p.ErrnoName);
        Assert.Null(p.Port);
    }

    [Fact]
    public void UnixSocket_IsProbedWithHostLocalhost()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nu-probe-{Guid.NewGuid():n}.sock");
        try
        {
            using var s = new TinyHttpServer(Ok, AfterResponse.IdleThenFin, TimeSpan.FromMilliseconds(500), unixPath: path);
            var p = UpstreamProber.Probe(T("unix:" + path), new ProbeOptions { IdleProbe = true, MaxIdle = TimeSpan.FromSeconds(5) });
            Assert.True(p.Connected);
            Assert.Equal(path, p.Address);
            Assert.Equal(200, p.Status);
            Assert.Equal(IdleClose.Fin, p.IdleClose);
            Assert.Contains("\r\nHost: localhost\r\n", s.Request);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void IdleClosePrecededBy408_CountsTheBytesAndEndsInFin()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.IdleThen408, TimeSpan.FromMilliseconds(500));
        var p = Probe(s.Port, idle: true);
        Assert.Equal(IdleClose.Fin, p.IdleClose);
        Assert.Equal(70, p.IdleBytes); // the 408 response
        Assert.InRange(p.ServerIdleTimeout!.Value.TotalSeconds, 0.4, 1.5);
    }

    [Fact]
    public void Localhost_IsResolved_AndEachAddressTried()
    {
        using var s = new TinyHttpServer(Ok, AfterResponse.CloseNow); // IPv4 only: ::1 (if tried first) is refused
        var logs = new List<string>();
        var p = UpstreamProber.Probe(T($"localhost:{s.Port}"), new ProbeOptions(), logs.Add);
        Assert.True(p.Connected);
        Assert.Equal("127.0.0.1", p.Address);
        Assert.Equal(200, p.Status);
        Assert.Contains(logs, l => l.StartsWith("localhost resolves to", StringComparison.Ordinal));
        Assert.Contains($"\r\nHost: localhost:{s.Port}\r\n", s.Request);
    }

    [Fact]
    public void Ipv6Loopback_Refused()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6) return;
        var p = UpstreamProber.Probe(T($"[::1]:{TinyHttpServer.ClosedPort()}"), new ProbeOptions());
        Assert.False(p.Connected);
        Assert.Equal("::1", p.Address);
        Assert.Equal("ECONNREFUSED", p.ErrnoName);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n0123456789012345678901234567890123456789\r\n0\r\n\r\n")]
    public void BodyOverTheCap_IsTruncated_AndNotIdleProbed(string response)
    {
        using var s = new TinyHttpServer(response, AfterResponse.KeepOpen);
        var p = UpstreamProber.Probe(T($"127.0.0.1:{s.Port}"), new ProbeOptions { MaxBodyBytes = 10, IdleProbe = true, MaxIdle = TimeSpan.FromSeconds(10) });
        Assert.Equal(200, p.Status);
        Assert.True(p.BodyTruncated);
        Assert.Equal(10, p.BodyBytes);
        Assert.Equal(IdleClose.None, p.IdleClose);
    }
}
