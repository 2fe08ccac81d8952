using System.Net.Sockets;

namespace NginxUpstream.Probing;

/// <summary>
/// SocketError as the Linux errno nginx prints in its error log ("connect() failed (111:
/// Connection refused)"). Name-resolution failures have no errno: they get the getaddrinfo name.
/// </summary>
public static class Errno
{
    public static (int? Number, string Name) From(SocketError e) => e switch
    {
        SocketError.ConnectionRefused => (111, "ECONNREFUSED"),
        SocketError.TimedOut => (110, "ETIMEDOUT"),
        SocketError.ConnectionReset => (104, "ECONNRESET"),
        SocketError.ConnectionAborted => (103, "ECONNABORTED"),
        SocketError.HostUnreachable => (113, "EHOSTUNREACH"),
        SocketError.HostDown => (112, "EHOSTDOWN"),
        SocketError.NetworkUnreachable => (101, "ENETUNREACH"),
        SocketError.NetworkDown => (100, "ENETDOWN"),
        SocketError.NetworkReset => (102, "ENETRESET"),
        SocketError.AddressNotAvailable => (99, "EADDRNOTAVAIL"),
        SocketError.AddressFamilyNotSupported => (97, "EAFNOSUPPORT"),
        SocketError.AccessDenied => (13, "EACCES"),
        SocketError.Shutdown => (32, "EPIPE"),
        SocketError.NotConnected => (107, "ENOTCONN"),
        SocketError.TooManyOpenSockets => (24, "EMFILE"),
        SocketError.NoBufferSpaceAvailable => (105, "ENOBUFS"),
        SocketError.HostNotFound => (null, "EAI_NONAME"),
        SocketError.TryAgain => (null, "EAI_AGAIN"),
        SocketError.NoData => (null, "EAI_NODATA"),
        SocketError.NoRecovery => (null, "EAI_FAIL"),
        _ => (null, e.ToString()),
    };

    public static (int? Number, string Name) From(SocketException e) => From(e.SocketErrorCode);
}
