using System.Runtime.CompilerServices;
using System.Text;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Every <c>log->action</c> string of nginx 1.31 (reference/nginx-error-log.md §4), with its
/// <see cref="UpstreamPhase"/> and which socket it concerns. The parser accepts " while X" as
/// the start of the context only when X is one of these (falling back to any text when
/// nothing else parses), so a " while " inside FastCGI text cannot end the message early.
/// </summary>
internal static class Phases
{
    internal enum Facing : byte { None, Upstream, Client, Both }

    internal readonly record struct Entry(byte[] Text, UpstreamPhase Phase, Facing Facing);

    private static readonly Entry[] Known = Build(
        ("connecting to upstream", UpstreamPhase.ConnectingToUpstream, Facing.Upstream),
        ("SSL handshaking to upstream", UpstreamPhase.SslHandshakingToUpstream, Facing.Upstream),
        ("sending request to upstream", UpstreamPhase.SendingRequestToUpstream, Facing.Upstream),
        ("reading response header from upstream", UpstreamPhase.ReadingResponseHeaderFromUpstream, Facing.Upstream),
        ("reading upstream", UpstreamPhase.ReadingUpstream, Facing.Upstream),
        ("sending to client", UpstreamPhase.SendingToClient, Facing.Client),
        ("proxying upgraded connection", UpstreamPhase.ProxyingUpgradedConnection, Facing.Both),
        ("sending early hints to client", UpstreamPhase.SendingEarlyHintsToClient, Facing.Client),
        // stream
        ("proxying connection", UpstreamPhase.ProxyingConnection, Facing.Both),
        ("proxying and reading from upstream", UpstreamPhase.ProxyingAndReadingFromUpstream, Facing.Upstream),
        ("proxying and sending to client", UpstreamPhase.ProxyingAndSendingToClient, Facing.Client),
        ("proxying and reading from client", UpstreamPhase.ProxyingAndReadingFromClient, Facing.Client),
        ("proxying and sending to upstream", UpstreamPhase.ProxyingAndSendingToUpstream, Facing.Upstream),
        ("initializing session", UpstreamPhase.InitializingSession, Facing.Client),
        ("reading PROXY protocol", UpstreamPhase.ReadingProxyProtocol, Facing.Client),
        ("prereading client data", UpstreamPhase.PrereadingClientData, Facing.Client),
        ("SSL handshaking", UpstreamPhase.SslHandshaking, Facing.Client),
        ("passing connection to port", UpstreamPhase.Other, Facing.None),
        ("returning text", UpstreamPhase.Other, Facing.Client),
        // mail
        ("reading response from upstream", UpstreamPhase.ReadingResponseFromUpstream, Facing.Upstream),
        ("sending PROXY protocol header to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending user name to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending password to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending AUTH to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending HELO/EHLO to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending client HELO/EHLO to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending XCLIENT to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending LOGIN command to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending MAIL FROM to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("sending RCPT TO to upstream", UpstreamPhase.SendingToUpstream, Facing.Upstream),
        ("proxying", UpstreamPhase.Proxying, Facing.Both),
        ("proxying and reading from upstream", UpstreamPhase.ProxyingAndReadingFromUpstream, Facing.Upstream),
        ("sending client greeting line", UpstreamPhase.Other, Facing.Client),
        ("in auth state", UpstreamPhase.Other, Facing.Client),
        ("in http auth state", UpstreamPhase.Other, Facing.None),
        ("in starttls state", UpstreamPhase.Other, Facing.Client),
        ("in delay pipelining state", UpstreamPhase.Other, Facing.Client),
        ("in resolving client address", UpstreamPhase.Other, Facing.None),
        ("in resolving client hostname", UpstreamPhase.Other, Facing.None),
        // HTTP client side
        ("waiting for request", UpstreamPhase.WaitingForRequest, Facing.Client),
        ("reading client request line", UpstreamPhase.ReadingClientRequestLine, Facing.Client),
        ("reading client request headers", UpstreamPhase.ReadingClientRequestHeaders, Facing.Client),
        ("reading client pipelined request line", UpstreamPhase.ReadingClientPipelinedRequestLine, Facing.Client),
        ("keepalive", UpstreamPhase.Keepalive, Facing.Client),
        ("closing request", UpstreamPhase.ClosingRequest, Facing.Client),
        ("logging request", UpstreamPhase.LoggingRequest, Facing.None),
        ("sending response to client", UpstreamPhase.SendingResponseToClient, Facing.Client),
        ("sending flv to client", UpstreamPhase.SendingResponseToClient, Facing.Client),
        ("sending mp4 to client", UpstreamPhase.SendingResponseToClient, Facing.Client),
        ("processing HTTP/2 connection", UpstreamPhase.ProcessingHttp2Connection, Facing.Client),
        ("reading client request", UpstreamPhase.ReadingClientRequest, Facing.Client),
        ("reading client request body", UpstreamPhase.ReadingClientRequestBody, Facing.Client),
        // misc
        ("resolving", UpstreamPhase.ResolvingName, Facing.None),
        ("requesting certificate status", UpstreamPhase.Other, Facing.None),
        ("logging to syslog", UpstreamPhase.Other, Facing.None),
        ("handling quic input", UpstreamPhase.Other, Facing.Client),
        ("accepting new connection", UpstreamPhase.AcceptingNewConnection, Facing.None));

    /// <summary>The whole table (tests check the words of each facing).</summary>
    internal static IReadOnlyList<Entry> All => Known;

    private static Entry[] Build(params (string, UpstreamPhase, Facing)[] items) =>
        items.Select(i => new Entry(Encoding.ASCII.GetBytes(i.Item1), i.Item2, i.Item3))
             .DistinctBy(e => Encoding.ASCII.GetString(e.Text)).ToArray();

    private static readonly Entry[][] ByLength = Enumerable.Range(0, 64)
        .Select(n => Known.Where(e => e.Text.Length == n).ToArray()).ToArray();

    /// <summary>The entry for an action text, or false when nginx has no such action.</summary>
    public static bool TryGet(ReadOnlySpan<byte> action, out Entry entry)
    {
        if (action.Length < ByLength.Length)
            foreach (var e in ByLength[action.Length])
                if (action.SequenceEqual(e.Text)) { entry = e; return true; }
        entry = default;
        return false;
    }
}
