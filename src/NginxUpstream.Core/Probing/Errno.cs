using System.Net.Sockets;
using NginxUpstream.Parsing.NginxErrorLog;

namespace NginxUpstream.Probing;

/// <summary>
/// SocketError as the Linux errno nginx prints in its error log ("connect() failed (111:
/// Connection refused)"), named by the error-log reader's own table (<see cref="Errnos"/>).
/// Name-resolution failures have no errno: they get the getaddrinfo name.
/// </summary>
public static class Errno
{
    public static (int? Number, string Name) From(SocketError e)
    {
        if (LinuxNumber(e) is { } n && Errnos.Name(n, (string?)null) is { } name) return (n, name);
        return (null, e switch
        {
            SocketError.HostNotFound => "EAI_NONAME",
            SocketError.TryAgain => "EAI_AGAIN",
            SocketError.NoData => "EAI_NODATA",
            SocketError.NoRecovery => "EAI_FAIL",
            _ => e.ToString(),
        });
    }

    public static (int? Number, string Name) From(SocketException e) => From(e.SocketErrorCode);

    private static int? LinuxNumber(SocketError e) => e switch
    {
        SocketError.ConnectionRefused => 111,
        SocketError.TimedOut => 110,
        SocketError.ConnectionReset => 104,
        SocketError.ConnectionAborted => 103,
        SocketError.HostUnreachable => 113,
        SocketError.HostDown => 112,
        SocketError.NetworkUnreachable => 101,
        SocketError.NetworkDown => 100,
        SocketError.NetworkReset => 102,
        SocketError.AddressNotAvailable => 99,
        SocketError.AddressFamilyNotSupported => 97,
        SocketError.AccessDenied => 13,
        SocketError.Shutdown => 32,
        SocketError.NotConnected => 107,
        SocketError.TooManyOpenSockets => 24,
        SocketError.NoBufferSpaceAvailable => 105,
        _ => null,
    };
}
