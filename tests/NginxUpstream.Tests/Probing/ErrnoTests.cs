using System.Net.Sockets;
using NginxUpstream.Probing;
using Xunit;

namespace NginxUpstream.Tests.Probing;

/// <summary>A failed connect is reported as the Linux errno nginx would log, named by the error-log reader's table.</summary>
public sealed class ErrnoTests
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, 111, "ECONNREFUSED")]
    [InlineData(SocketError.TimedOut, 110, "ETIMEDOUT")]
    [InlineData(SocketError.ConnectionReset, 104, "ECONNRESET")]
    [InlineData(SocketError.ConnectionAborted, 103, "ECONNABORTED")]
    [InlineData(SocketError.HostUnreachable, 113, "EHOSTUNREACH")]
    [InlineData(SocketError.HostDown, 112, "EHOSTDOWN")]
    [InlineData(SocketError.NetworkUnreachable, 101, "ENETUNREACH")]
    [InlineData(SocketError.NetworkDown, 100, "ENETDOWN")]
    [InlineData(SocketError.NetworkReset, 102, "ENETRESET")]
    [InlineData(SocketError.AddressNotAvailable, 99, "EADDRNOTAVAIL")]
    [InlineData(SocketError.AddressFamilyNotSupported, 97, "EAFNOSUPPORT")]
    [InlineData(SocketError.AccessDenied, 13, "EACCES")]
    [InlineData(SocketError.Shutdown, 32, "EPIPE")]
    [InlineData(SocketError.NotConnected, 107, "ENOTCONN")]
    [InlineData(SocketError.TooManyOpenSockets, 24, "EMFILE")]
    [InlineData(SocketError.NoBufferSpaceAvailable, 105, "ENOBUFS")]
    [InlineData(SocketError.HostNotFound, null, "EAI_NONAME")]
    [InlineData(SocketError.TryAgain, null, "EAI_AGAIN")]
    [InlineData(SocketError.NoData, null, "EAI_NODATA")]
    [InlineData(SocketError.NoRecovery, null, "EAI_FAIL")]
    [InlineData(SocketError.MessageSize, null, "MessageSize")]
    public void SocketErrorBecomesTheErrnoNginxLogs(SocketError error, int? number, string name) =>
        Assert.Equal((number, name), Errno.From(error));
}
