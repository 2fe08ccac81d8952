using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NginxUpstream.Model;

namespace NginxUpstream.Probing;

/// <summary>
/// One HTTP/1.1 GET straight to an upstream over a raw socket (not HttpClient: its pool hides
/// the TCP events), as nginx's upstream module would send it with keepalive on; then, for an
/// idle probe, the connection is kept idle to measure when the backend closes it. Synchronous:
/// the log callback is called on the caller's thread.
/// </summary>
public static class UpstreamProber
{
    private const int MaxLine = 16 * 1024;
    private const int MaxHeaderLines = 200;

    public static UpstreamProbe Probe(ProbeTarget target, ProbeOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        var path = options.Path ?? target.UrlPath ?? "/";
        var probe = new UpstreamProbe
        {
            Upstream = target.Text,
            Port = target.UnixPath is null ? target.Port : null,
            Path = path,
            Time = DateTimeOffset.UtcNow,
        };
        var clock = Stopwatch.StartNew();
        double Ms() => Math.Round(clock.Elapsed.TotalMilliseconds, 3);

        var endpoints = Resolve(target, probe, log, cancel);
        if (endpoints is null) return probe;

        using var socket = Connect(endpoints, target, options, probe, log, Ms, cancel);
        if (socket is null) return probe;

        var host = options.HostHeader ?? target.Authority;
        var request = $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: NginxUpstream\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";
        log?.Invoke($"{target}: sending GET {path} HTTP/1.1 (Host: {host}, Connection: keep-alive).");

        var idleStart = TimeSpan.Zero;
        var reader = new ResponseReader(socket) { OnFirstByte = () => probe.FirstByteMs = Ms() };
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            deadline.CancelAfter(options.Timeout);
            reader.Deadline = deadline.Token;
            try
            {
                socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
                if (!ReadResponse(reader, probe, options, log, target)) return probe;
                probe.TotalMs = Ms();
                idleStart = clock.Elapsed; // the idle time starts with the response complete, before any logging
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                (probe.Errno, probe.ErrnoName) = Errno.From(SocketError.TimedOut);
                probe.Error = probe.Status is null
                    ? $"no response within {options.Timeout.TotalSeconds:0.###} s (nginx: upstream timed out while reading response header)"
                    : $"the response was not complete within {options.Timeout.TotalSeconds:0.###} s";
                log?.Invoke($"{target}: {probe.Error}.");
                return probe;
            }
            catch (SocketException e)
            {
                (probe.Errno, probe.ErrnoName) = Errno.From(e);
                probe.Error = $"{(probe.Status is null ? "before the response" : "during the response")}: {e.Message}";
                log?.Invoke($"{target}: {probe.ErrnoName} {probe.Error}.");
                return probe;
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
            {
                probe.Error = e.Message;
                log?.Invoke($"{target}: {e.Message}.");
                return probe;
            }
        }
        log?.Invoke($"{target}: {probe.HttpVersion} {probe.Status} {probe.Reason}; first byte {probe.FirstByteMs} ms, complete {probe.TotalMs} ms; " +
                    $"body {probe.BodyBytes} bytes ({probe.BodyFraming}{(probe.BodyTruncated ? ", truncated" : "")}); " +
                    $"Connection: {probe.ConnectionHeader ?? "(none)"}{(probe.KeepAliveTimeoutHeader is { } ka ? $", Keep-Alive: timeout={ka}" : "")}; " +
                    $"keepalive {(probe.KeepAliveOffered ? "offered" : "not offered")}.");

        if (probe.BodyTruncated) return probe; // not at a message boundary: nothing more to learn
        if (probe.BodyFraming == "Close" || reader.Eof)
        {
            probe.ClosedAfterResponse = true;
            if (options.IdleProbe) { probe.IdleClose = IdleClose.Fin; probe.ServerIdleTimeout = TimeSpan.Zero; }
            return probe;
        }

        // How long to watch for the close: an idle probe of a kept-alive connection waits up to MaxIdle;
        // otherwise only a server that closes right after the response, whatever its headers said,
        // is caught (Connection: close announced: the close normally follows at once, and a server
        // that lingers is not waited for long).
        var grace = (options.IdleProbe, probe.KeepAliveOffered) switch
        {
            (true, true) => options.MaxIdle,
            (true, false) => Min(options.MaxIdle, options.Timeout),
            (false, true) => options.CloseGrace,
            (false, false) => Min(options.Timeout, TimeSpan.FromSeconds(1)),
        };
        if (options.IdleProbe) log?.Invoke($"{target}: keeping the connection idle up to {options.MaxIdle.TotalSeconds:0.###} s to see when the server closes it.");
        var (close, closedAt) = WaitForClose(socket, reader.Buffered, grace, probe, clock, cancel);
        if (close != IdleClose.StillOpen)
        {
            var idle = closedAt - idleStart;
            probe.ClosedAfterResponse = !probe.KeepAliveOffered || idle <= options.CloseGrace;
            if (options.IdleProbe) { probe.IdleClose = close; probe.ServerIdleTimeout = idle; }
            log?.Invoke($"{target}: the server closed the connection ({close}) after {idle.TotalSeconds:0.000} s idle" +
                        (probe.IdleBytes > 0 ? $", having sent {probe.IdleBytes} bytes on the idle connection." : "."));
        }
        else if (options.IdleProbe)
        {
            probe.IdleClose = IdleClose.StillOpen;
            log?.Invoke($"{target}: still open after {options.MaxIdle.TotalSeconds:0.###} s idle.");
        }
        return probe;
    }

    private static EndPoint[]? Resolve(ProbeTarget target, UpstreamProbe probe, Action<string>? log, CancellationToken cancel)
    {
        if (target.UnixPath is { } unix) { probe.Address = unix; return new EndPoint[] { new UnixDomainSocketEndPoint(unix) }; }
        if (IPAddress.TryParse(target.Host, out var literal)) return new EndPoint[] { new IPEndPoint(literal, target.Port) };
        try
        {
            var addresses = Dns.GetHostAddressesAsync(target.Host!, cancel).GetAwaiter().GetResult();
            log?.Invoke($"{target.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}.");
            if (addresses.Length > 0) return addresses.Select(a => (EndPoint)new IPEndPoint(a, target.Port)).ToArray();
            (probe.Errno, probe.ErrnoName) = (null, "EAI_NONAME");
        }
        catch (SocketException e) { (probe.Errno, probe.ErrnoName) = Errno.From(e); }
        probe.Error = $"cannot resolve '{target.Host}'";
        log?.Invoke($"{target}: {probe.Error} ({probe.ErrnoName}).");
        return null;
    }

    // Tries each address in turn, as nginx and curl do with a name that has several.
    private static Socket? Connect(EndPoint[] endpoints, ProbeTarget target, ProbeOptions options, UpstreamProbe probe,
        Action<string>? log, Func<double> ms, CancellationToken cancel)
    {
        foreach (var ep in endpoints)
        {
            if (ep is IPEndPoint ip) probe.Address = ip.Address.ToString();
            var socket = ep is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            log?.Invoke($"{target}: connecting to {Describe(ep)} (timeout {options.Timeout.TotalSeconds:0.###} s).");
            var start = ms();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(options.Timeout);
            try
            {
                socket.ConnectAsync(ep, deadline.Token).AsTask().GetAwaiter().GetResult();
                probe.Connected = true;
                probe.ConnectMs = Math.Round(ms() - start, 3);
                (probe.Errno, probe.ErrnoName, probe.Error) = (null, null, null);
                log?.Invoke($"{target}: connected in {probe.ConnectMs} ms.");
                return socket;
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                socket.Dispose();
                (probe.Errno, probe.ErrnoName) = Errno.From(SocketError.TimedOut);
                probe.Error = $"connect: no answer within {options.Timeout.TotalSeconds:0.###} s";
            }
            catch (SocketException e)
            {
                socket.Dispose();
                (probe.Errno, probe.ErrnoName) = Errno.From(e);
                probe.Error = $"connect: {e.Message}";
                // .NET reports a missing unix socket file as EADDRNOTAVAIL; the kernel (and nginx's log) say ENOENT.
                if (ep is UnixDomainSocketEndPoint && e.SocketErrorCode == SocketError.AddressNotAvailable && !File.Exists(target.UnixPath))
                    (probe.Errno, probe.ErrnoName, probe.Error) = (2, "ENOENT", "connect: No such file or directory");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            log?.Invoke($"{Describe(ep)}: {probe.ErrnoName} ({probe.Error}) after {ms() - start:0.###} ms.");
        }
        return null;
    }

    private static string Describe(EndPoint ep) => ep switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } v6 => $"[{v6.Address}]:{v6.Port}",
        IPEndPoint v4 => $"{v4.Address}:{v4.Port}",
        _ => "unix:" + ep,
    };

    /// <summary>Status line, headers (skipping 1xx) and body. False when there is no usable response.</summary>
    private static bool ReadResponse(ResponseReader reader, UpstreamProbe probe, ProbeOptions options, Action<string>? log, ProbeTarget target)
    {
        Dictionary<string, string> headers;
        while (true)
        {
            var statusLine = reader.ReadLine(MaxLine);
            if (statusLine is null)
            {
                probe.Error = "the server closed the connection before sending a response (nginx: upstream prematurely closed connection while reading response header)";
                log?.Invoke($"{target}: {probe.Error}.");
                return false;
            }
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) || parts[1].Length != 3)
            {
                probe.Error = $"not an HTTP/1.x response: '{Truncate(statusLine, 60)}'";
                log?.Invoke($"{target}: {probe.Error}.");
                return false;
            }
            probe.HttpVersion = parts[0];
            probe.Status = status;
            probe.Reason = parts.Length > 2 ? parts[2] : "";
            headers = ReadHeaders(reader);
            if (status is >= 100 and < 200 && status != 101) continue; // interim response: the real one follows
            break;
        }

        probe.Server = headers.GetValueOrDefault("server");
        probe.ConnectionHeader = headers.GetValueOrDefault("connection");
        var tokens = (probe.ConnectionHeader ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool close = tokens.Contains("close", StringComparer.OrdinalIgnoreCase);
        bool keepAlive = tokens.Contains("keep-alive", StringComparer.OrdinalIgnoreCase);
        probe.KeepAliveOffered = probe.HttpVersion == "HTTP/1.0" ? keepAlive && !close : !close;
        if (headers.TryGetValue("keep-alive", out var ka)) probe.KeepAliveTimeoutHeader = KeepAliveTimeout(ka);

        var status2 = probe.Status!.Value;
        if (status2 is 204 or 304 or (>= 100 and < 200)) { probe.BodyFraming = "None"; return true; }
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            probe.BodyFraming = "Chunked";
            ReadChunked(reader, probe, options.MaxBodyBytes);
        }
        else if (headers.TryGetValue("content-length", out var cl))
        {
            if (!long.TryParse(cl.Split(',')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                throw new InvalidDataException($"invalid Content-Length '{cl}'");
            probe.BodyFraming = "Content-Length";
            var want = Math.Min(length, options.MaxBodyBytes);
            probe.BodyBytes = reader.Skip(want);
            if (probe.BodyBytes < want) throw new EndOfStreamException($"the server closed the connection after {probe.BodyBytes} of {length} body bytes (nginx: upstream prematurely closed connection while reading upstream)");
            probe.BodyTruncated = length > options.MaxBodyBytes;
        }
        else
        {
            // No length: the body ends when the server closes (HTTP/1.0 style).
            probe.BodyFraming = "Close";
            probe.KeepAliveOffered = false;
            probe.BodyBytes = reader.Skip(options.MaxBodyBytes);
            probe.BodyTruncated = !reader.Eof && probe.BodyBytes >= options.MaxBodyBytes;
        }
        return true;
    }

    private static Dictionary<string, string> ReadHeaders(ResponseReader reader)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; ; i++)
        {
            if (i > MaxHeaderLines) throw new InvalidDataException($"more than {MaxHeaderLines} header lines");
            var line = reader.ReadLine(MaxLine) ?? throw new EndOfStreamException("the server closed the connection inside the response headers");
            if (line.Length == 0) return headers;
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var prior) ? prior + ", " + value : value;
        }
    }

    private static void ReadChunked(ResponseReader reader, UpstreamProbe probe, long max)
    {
        while (true)
        {
            var line = reader.ReadLine(MaxLine) ?? throw new EndOfStreamException("the server closed the connection inside a chunked body");
            var sizeText = line.Split(';')[0].Trim();
            if (!long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new InvalidDataException($"invalid chunk size '{Truncate(line, 30)}'");
            if (size == 0)
            {
                // Trailer fields up to the empty line.
                while ((reader.ReadLine(MaxLine) ?? throw new EndOfStreamException("the server closed the connection inside the chunked trailer")).Length > 0) { }
                return;
            }
            if (probe.BodyBytes + size > max) { probe.BodyBytes += reader.Skip(max - probe.BodyBytes); probe.BodyTruncated = true; return; }
            var got = reader.Skip(size);
            probe.BodyBytes += got;
            if (got < size) throw new EndOfStreamException("the server closed the connection inside a chunk");
            if (reader.ReadLine(MaxLine) is not "") throw new InvalidDataException("chunk not followed by CRLF");
        }
    }

    /// <summary>Waits on the idle connection until FIN, reset, or the limit. Bytes sent meanwhile are counted.</summary>
    private static (IdleClose, TimeSpan) WaitForClose(Socket socket, int alreadyBuffered, TimeSpan limit, UpstreamProbe probe, Stopwatch clock, CancellationToken cancel)
    {
        probe.IdleBytes += alreadyBuffered;
        var buffer = new byte[4096];
        var end = clock.Elapsed + limit;
        while (true)
        {
            var left = end - clock.Elapsed;
            if (left <= TimeSpan.Zero) return (IdleClose.StillOpen, clock.Elapsed);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(left);
            try
            {
                int n = socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0) return (IdleClose.Fin, clock.Elapsed);
                probe.IdleBytes += n;
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { return (IdleClose.StillOpen, clock.Elapsed); }
            catch (SocketException) { return (IdleClose.Reset, clock.Elapsed); }
        }
    }

    private static int? KeepAliveTimeout(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length == 2 && kv[0].Equals("timeout", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t)) return t;
        }
        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "...";
}
