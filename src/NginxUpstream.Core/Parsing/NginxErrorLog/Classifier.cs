using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Message → <see cref="UpstreamErrorKind"/>, and which socket failed (<see cref="ErrorSide"/>).
/// Anchored prefix tests on the message bytes in the order of the reference kind table
/// (corpus/README.md); socket errors are classified by their portable errno name, since the
/// number differs by platform. The side comes from the message when it names the upstream,
/// else from the phase, else (for phases shared by both sockets) from the level: nginx logs
/// client-socket errors at info and upstream-socket errors at error (§3.2).
/// </summary>
internal static class Classifier
{
    public static void Classify(ReadOnlySpan<byte> s, ref ParsedRecord r)
    {
        var m = r.Message.Of(s);
        r.ErrnoId = r.Errno >= 0 ? Errnos.Id(r.Errno, r.ErrnoText.Of(s)) : (byte)0;
        string? errnoName = Errnos.NameOf(r.ErrnoId);
        var kind = UpstreamErrorKind.Other;
        bool upstreamMessage = false, connect = false;

        // Most records are "<call>() failed": only connect() and SSL_do_handshake() of those have a
        // branch of their own below, so the others go straight to the socket-error branch.
        if (IsPlainCallFailure(m, r.Syscall.Length)) kind = SyscallKind(errnoName, m, r.Errno);
        else if ((m.StartsWith("connect() "u8) && m.EndsWith("failed"u8)) || m.StartsWith("kevent() reported that connect() failed"u8))
        {
            connect = true;
            kind = errnoName switch
            {
                "ECONNREFUSED" => UpstreamErrorKind.Refused,
                "ETIMEDOUT" => UpstreamErrorKind.TimedOut,
                "ECONNRESET" => UpstreamErrorKind.Reset,
                "EHOSTUNREACH" or "ENETUNREACH" or "EHOSTDOWN" or "ENETDOWN" => UpstreamErrorKind.Unreachable,
                _ => UpstreamErrorKind.ConnectFailed,
            };
        }
        else if (m.SequenceEqual("upstream timed out"u8)) { kind = UpstreamErrorKind.TimedOut; upstreamMessage = true; }
        else if (m.SequenceEqual("client timed out"u8) || m.SequenceEqual("connection timed out"u8)) kind = UpstreamErrorKind.ClientTimedOut;
        else if (m.StartsWith("upstream prematurely closed "u8) || m.StartsWith("upstream closed prematurely "u8)
                 || m.StartsWith("kevent() reported that upstream closed"u8))
        { kind = UpstreamErrorKind.PrematureClose; upstreamMessage = true; }
        else if (m.SequenceEqual("no live upstreams"u8)) { kind = UpstreamErrorKind.NoLiveUpstreams; upstreamMessage = true; }
        else if (m.SequenceEqual("upstream server temporarily disabled"u8)) { kind = UpstreamErrorKind.ServerDisabled; upstreamMessage = true; }
        else if (m.StartsWith("upstream sent "u8))
        {
            upstreamMessage = true;
            var t = m[14..];
            kind = t.StartsWith("too big header"u8) ? UpstreamErrorKind.TooBigHeader
                : t.StartsWith("invalid header"u8) || t.StartsWith("no valid HTTP/1.0 header"u8)
                  || t.StartsWith("duplicate header line"u8) || t.StartsWith("\"Content-Length\" and \"Transfer-Encoding\""u8)
                  || t.StartsWith("unknown \"Transfer-Encoding\""u8) || t.StartsWith("invalid \"Content-Length\""u8)
                  || t.StartsWith("invalid status"u8) || t.StartsWith("no :status"u8) || t.StartsWith("invalid :status"u8)
                  || t.StartsWith("too long response line"u8) || t.StartsWith("invalid response"u8)
                    ? UpstreamErrorKind.InvalidHeader
                : UpstreamErrorKind.InvalidResponse;
        }
        else if (m.StartsWith("upstream rejected "u8) || m.StartsWith("upstream violated "u8) || m.StartsWith("upstream prematurely sent"u8)
                 || m.StartsWith("memcached sent "u8))
        { kind = UpstreamErrorKind.InvalidResponse; upstreamMessage = true; }
        else if (m.StartsWith("FastCGI sent in stderr"u8)) { kind = UpstreamErrorKind.FastCgiStderr; upstreamMessage = true; }
        else if (m.StartsWith("peer closed connection in SSL handshake"u8)) kind = UpstreamErrorKind.SslHandshake;
        else if (m.StartsWith("upstream SSL certificate "u8)) { kind = UpstreamErrorKind.SslCertificate; upstreamMessage = true; }
        else if (m.StartsWith("SSL_do_handshake() failed"u8)) kind = UpstreamErrorKind.SslHandshake;
        else if (IsNotResolved(m) || m.StartsWith("no resolver defined to resolve"u8))
        { kind = UpstreamErrorKind.Resolver; upstreamMessage = true; }
        else if (IsClientPrematurelyClosed(m)) kind = UpstreamErrorKind.ClientClosed;
        else if (m.StartsWith("an upstream response is buffered to a temporary file"u8)) kind = UpstreamErrorKind.ResponseBuffered;
        else if (m.StartsWith("a client request body is buffered to a temporary file"u8)) kind = UpstreamErrorKind.BodyBuffered;
        else if (IsWorkerConnections(m)) kind = UpstreamErrorKind.WorkerConnections;
        else if (m.StartsWith("host not found in upstream "u8)) { kind = UpstreamErrorKind.HostNotFound; upstreamMessage = true; }
        else if (m.StartsWith("client "u8) && (m.EndsWith(" closed connection"u8) || m.EndsWith(" closed keepalive connection"u8)))
            kind = UpstreamErrorKind.ClientClosed;
        else if (r.Syscall.Present) kind = SyscallKind(errnoName, m, r.Errno);
        r.Kind = kind;
        r.Side = SideOf(kind, upstreamMessage, connect, ref r);
    }

    /// <summary>The message is exactly "name() failed" (name: the <paramref name="callLength"/> bytes of the syscall), and the call is neither connect nor SSL_do_handshake.</summary>
    private static bool IsPlainCallFailure(ReadOnlySpan<byte> m, int callLength) =>
        callLength > 0 && m.Length == callLength + 9 && m[callLength..].SequenceEqual("() failed"u8)
        && !m.StartsWith("connect("u8) && !m.StartsWith("SSL_do_handshake("u8);

    private static UpstreamErrorKind SyscallKind(string? errnoName, ReadOnlySpan<byte> m, int errno) => errnoName switch
    {
        "ECONNRESET" => UpstreamErrorKind.Reset,
        "ECONNREFUSED" => UpstreamErrorKind.Refused,
        "ETIMEDOUT" => UpstreamErrorKind.TimedOut,
        "EPIPE" => UpstreamErrorKind.BrokenPipe,
        "EHOSTUNREACH" or "ENETUNREACH" or "EHOSTDOWN" or "ENETDOWN" => UpstreamErrorKind.Unreachable,
        _ => errno >= 0 || m.IndexOf("failed"u8) >= 0 ? UpstreamErrorKind.SyscallFailed : UpstreamErrorKind.Other,
    };

    /// <summary>
    /// False only when <see cref="Classify"/> cannot give the record <see cref="ErrorSide.Upstream"/>,
    /// decided on the raw record bytes without parsing it (the prefilter of upstream-only reads).
    /// Upstream side needs (see <see cref="SideOf"/>) an upstream message, a connect() message, or a
    /// phase facing the upstream or both sockets. The message and the action are slices of the record,
    /// so the record contains the words they contain: every upstream message above contains
    /// "upstream", "FastCGI sent in stderr", "memcached sent " or "resolve" (" could not be resolved (",
    /// "no resolver defined to resolve"); every connect message "connect()"; every
    /// <see cref="Phases.Facing.Upstream"/> phase "upstream" and every <see cref="Phases.Facing.Both"/>
    /// phase "proxying" (checked by a unit test over the phase table).
    /// </summary>
    /// <remarks>
    /// One pass over the record finds every place where one of the six words can start: each word
    /// is recognised by its first byte and one later byte (u......m, c......(, p......g, F.....I,
    /// m.......d, r....v) compared 32 positions at a time; only those places are then compared in
    /// full. Six separate searches scanned the 65 % of a log that has none of the words six times.
    /// </remarks>
    public static bool CanBeUpstream(ReadOnlySpan<byte> record) =>
        Vector256.IsHardwareAccelerated && record.Length >= Vector256<byte>.Count + 8
            ? CanBeUpstreamVector(record)
            : CanBeUpstreamScalar(record);

    /// <summary>The prefilter's definition: the six words searched one by one.</summary>
    internal static bool CanBeUpstreamScalar(ReadOnlySpan<byte> record) =>
        record.IndexOf("upstream"u8) >= 0 || record.IndexOf("connect()"u8) >= 0 || record.IndexOf("proxying"u8) >= 0
        || record.IndexOf("FastCGI sent in stderr"u8) >= 0 || record.IndexOf("memcached sent "u8) >= 0
        || record.IndexOf("resolve"u8) >= 0;

    private static bool CanBeUpstreamVector(ReadOnlySpan<byte> s)
    {
        ref byte b = ref MemoryMarshal.GetReference(s);
        int n = s.Length;
        // Word starts at i are tested with bytes i and i+5..i+8, so blocks cover starts 0..n-9; the
        // words of 7 and 8 bytes that could start in the last 8 positions are checked at the end.
        int last = n - 8 - Vector256<byte>.Count;
        int i = 0;
        while (true)
        {
            bool final = i >= last;
            if (final) i = last;
            uint mask = Candidates(ref Unsafe.Add(ref b, i));
            while (mask != 0)
            {
                int k = i + BitOperations.TrailingZeroCount(mask);
                if (WordAt(s, k)) return true;
                mask &= mask - 1;
            }
            if (final) break;
            i += Vector256<byte>.Count;
        }
        var tail = s[(n - 8)..];
        return tail.SequenceEqual("upstream"u8) || tail.SequenceEqual("proxying"u8) || tail.StartsWith("resolve"u8) || tail[1..].SequenceEqual("resolve"u8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Candidates(ref byte p)
    {
        var v0 = Vector256.LoadUnsafe(ref p);
        var v5 = Vector256.LoadUnsafe(ref p, 5);
        var v6 = Vector256.LoadUnsafe(ref p, 6);
        var v7 = Vector256.LoadUnsafe(ref p, 7);
        var v8 = Vector256.LoadUnsafe(ref p, 8);
        var m = (Vector256.Equals(v0, Vector256.Create((byte)'u')) & Vector256.Equals(v7, Vector256.Create((byte)'m')))
              | (Vector256.Equals(v0, Vector256.Create((byte)'c')) & Vector256.Equals(v7, Vector256.Create((byte)'(')))
              | (Vector256.Equals(v0, Vector256.Create((byte)'p')) & Vector256.Equals(v7, Vector256.Create((byte)'g')))
              | (Vector256.Equals(v0, Vector256.Create((byte)'F')) & Vector256.Equals(v6, Vector256.Create((byte)'I')))
              | (Vector256.Equals(v0, Vector256.Create((byte)'m')) & Vector256.Equals(v8, Vector256.Create((byte)'d')))
              | (Vector256.Equals(v0, Vector256.Create((byte)'r')) & Vector256.Equals(v5, Vector256.Create((byte)'v')));
        return m.ExtractMostSignificantBits();
    }

    private static bool WordAt(ReadOnlySpan<byte> s, int k)
    {
        var t = s[k..];
        return t[0] switch
        {
            (byte)'u' => t.StartsWith("upstream"u8),
            (byte)'c' => t.StartsWith("connect()"u8),
            (byte)'p' => t.StartsWith("proxying"u8),
            (byte)'F' => t.StartsWith("FastCGI sent in stderr"u8),
            (byte)'m' => t.StartsWith("memcached sent "u8),
            _ => t.StartsWith("resolve"u8),
        };
    }

    /// <summary>The first " could not be resolved (" is not at the start; searched by its rarer "resolved (".</summary>
    private static bool IsNotResolved(ReadOnlySpan<byte> m)
    {
        for (int p = 0; p < m.Length;)
        {
            int x = m[p..].IndexOf("resolved ("u8);
            if (x < 0) return false;
            x += p;
            if (x >= 14 && m[(x - 14)..x].SequenceEqual(" could not be "u8)) return x > 14;
            p = x + 1;
        }
        return false;
    }

    private static bool IsClientPrematurelyClosed(ReadOnlySpan<byte> m)
    {
        if (m.StartsWith("epoll_wait() reported that "u8)) m = m[27..];
        else if (m.StartsWith("kevent() reported that "u8)) m = m[23..];
        return m.StartsWith("client prematurely closed connection"u8);
    }

    private static bool IsWorkerConnections(ReadOnlySpan<byte> m)
    {
        int i = 0;
        while (i < m.Length && (uint)(m[i] - '0') <= 9) i++;
        return i > 0 && m[i..].StartsWith(" worker_connections are not enough"u8);
    }

    private static ErrorSide SideOf(UpstreamErrorKind kind, bool upstreamMessage, bool connect, ref ParsedRecord r)
    {
        switch (kind)
        {
            case UpstreamErrorKind.ClientClosed or UpstreamErrorKind.ClientTimedOut: return ErrorSide.Client;
            case UpstreamErrorKind.BodyBuffered or UpstreamErrorKind.ResponseBuffered: return ErrorSide.None;
        }
        if (upstreamMessage || connect) return ErrorSide.Upstream;
        if (kind == UpstreamErrorKind.Other && !r.Syscall.Present) return ErrorSide.None;
        return r.Facing switch
        {
            Phases.Facing.Upstream => ErrorSide.Upstream,
            Phases.Facing.Client => ErrorSide.Client,
            // Same phase for both sockets (upgraded, stream, mail proxying): ngx_connection_error logs
            // the client's socket at info and the upstream's at error.
            Phases.Facing.Both => r.Level >= NginxLogLevel.Info ? ErrorSide.Client : ErrorSide.Upstream,
            _ => ErrorSide.None,
        };
    }
}
