using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NginxUpstream.Tests.Probing;

/// <summary>What the test server does with the connection once the response is written.</summary>
public enum AfterResponse { IdleThenFin, IdleThenReset, CloseNow, KeepOpen, IdleThen408 }

/// <summary>
/// A real loopback HTTP/1.1 server for one connection: reads a request head, writes a fixed
/// response, then closes (FIN), resets (SO_LINGER 0) or keeps the connection as told.
/// </summary>
public sealed class TinyHttpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    public int Port { get; }
    public string? Request { get; private set; }

    public TinyHttpServer(string response, AfterResponse after, TimeSpan idle = default, bool respond = true, string? unixPath = null)
    {
        if (unixPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixPath));
        }
        _listener.Listen(8);
        _loop = Task.Run(async () =>
        {
            using var client = await _listener.AcceptAsync(_stop.Token);
            var head = new StringBuilder();
            var buf = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n"))
            {
                int n = await client.ReceiveAsync(buf, SocketFlags.None, _stop.Token);
                if (n == 0) return;
                head.Append(Encoding.ASCII.GetString(buf, 0, n));
            }
            Request = head.ToString();
            if (!respond) { client.Close(); return; }
            await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, _stop.Token);
            switch (after)
            {
                case AfterResponse.CloseNow: client.Shutdown(SocketShutdown.Both); client.Close(); break;
                case AfterResponse.IdleThenFin: await Task.Delay(idle, _stop.Token); client.Shutdown(SocketShutdown.Both); client.Close(); break;
                case AfterResponse.IdleThenReset: await Task.Delay(idle, _stop.Token); client.LingerState = new LingerOption(true, 0); client.Close(); break;
                case AfterResponse.IdleThen408:
                    await Task.Delay(idle, _stop.Token);
                    await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), SocketFlags.None, _stop.Token);
                    client.Shutdown(SocketShutdown.Both); client.Close();
                    break;
                case AfterResponse.KeepOpen: await Task.Delay(Timeout.Infinite, _stop.Token); break;
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _loop.Wait(2000); } catch (AggregateException) { }
        _listener.Dispose();
    }

    /// <summary>A port nothing listens on: bound by a listener that is then stopped.</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
