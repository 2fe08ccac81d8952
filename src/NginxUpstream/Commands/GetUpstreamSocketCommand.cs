using System.Management.Automation;
using NginxUpstream.Internal;
using NginxUpstream.Model;
using NginxUpstream.Parsing.ProcNetTcp;

namespace NginxUpstream.Commands;

/// <summary>
/// Lists this host's TCP sockets toward (or of) upstreams, with their state, queues and owning
/// processes, from /proc/net/tcp{,6} and /proc/PID/fd: the `ss -ltnp` / `ss -tan` step of a 502
/// diagnosis. With -Summary, counts them per upstream endpoint and state.
/// </summary>
[Cmdlet(VerbsCommon.Get, "UpstreamSocket")]
[OutputType(typeof(UpstreamSocket), typeof(UpstreamSocketSummary))]
public sealed class GetUpstreamSocketCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<UpstreamEndpoint> _upstreams = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private bool _upstreamGiven;

    /// <summary>host:port, [v6]:port, a port, or a host (wildcards allowed); binds UpstreamError.UpstreamAddress from the pipeline.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UpstreamAddress")]
    [AllowNull, AllowEmptyCollection, AllowEmptyString]
    public string?[]? Upstream { get; set; }

    /// <summary>Only sockets whose local or remote port is one of these.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int[]? Port { get; set; }

    /// <summary>Only sockets in one of these states.</summary>
    [Parameter]
    [TcpStateTransformation]
    public TcpState[]? State { get; set; }

    /// <summary>Only listening sockets.</summary>
    [Parameter]
    public SwitchParameter Listening { get; set; }

    /// <summary>One object per upstream endpoint, role and state, with the count.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>The proc filesystem to read (a host's /proc mounted elsewhere, or a test tree).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProcRoot { get; set; } = "/proc";

    protected override void ProcessRecord()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Upstream)) || MyInvocation.ExpectingInput) _upstreamGiven = true;
        if (Upstream is null) return;
        foreach (var text in Upstream)
        {
            var key = text?.Trim() ?? "";
            if (key.Length == 0 || !_seen.Add(key)) continue;
            switch (UpstreamEndpoint.TryParse(key, out var ep))
            {
                case UpstreamEndpointProblem.None:
                    // One upstream named by many errors (many URIs) is one upstream.
                    if (_upstreams.All(u => !string.Equals(u.Text, ep!.Text, StringComparison.OrdinalIgnoreCase))) _upstreams.Add(ep!);
                    break;
                case UpstreamEndpointProblem.UnixSocket:
                    WriteError(new ErrorRecord(new ArgumentException($"'{key}' is a unix socket upstream: it has no TCP sockets to list (use 'ss -xlp' for unix sockets)."),
                        "UnixSocketUpstream", ErrorCategory.InvalidArgument, text));
                    break;
                case UpstreamEndpointProblem.NotLiteralAddress:
                    WriteWarning($"'{key}' is not a literal IP address: Get-UpstreamSocket does not resolve names (only 'localhost' is known); give the address the name resolves to.");
                    break;
                default:
                    WriteError(new ErrorRecord(new ArgumentException($"'{key}' is not an upstream address (host:port, [IPv6]:port, a port, or a host)."),
                        "InvalidUpstream", ErrorCategory.InvalidArgument, text));
                    break;
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_upstreamGiven && _upstreams.Count == 0)
        {
            WriteVerbose("No TCP upstream address in the input: nothing to list.");
            return;
        }
        var query = new SocketQuery
        {
            Upstreams = _upstreams,
            Ports = Port ?? Array.Empty<int>(),
            States = State ?? Array.Empty<TcpState>(),
            ListeningOnly = Listening,
        };
        if (_upstreams.Count > 0) WriteVerbose($"Upstreams: {string.Join(", ", _upstreams)}.");
        SocketSnapshot snap;
        try { snap = ProcSocketReader.Read(ProcRoot, query, cancel: _cancel.Token); }
        catch (OperationCanceledException) { return; }

        foreach (var (path, stats) in snap.FilesRead)
            WriteVerbose($"{path}: {stats.LinesRead} lines read, {stats.RecordsEmitted} sockets parsed, {stats.SkippedTotal} lines skipped{SkipReasons(stats)}.");
        foreach (var (path, error) in snap.FileErrors)
        {
            // tcp6 is absent on hosts with IPv6 disabled: only the IPv4 table is required.
            if (path.EndsWith("tcp6", StringComparison.Ordinal) && error is FileNotFoundException or DirectoryNotFoundException)
                WriteVerbose($"{path}: not present (IPv6 disabled?), skipped.");
            else
                WriteError(new ErrorRecord(error, error is UnauthorizedAccessException ? "ProcNetTcpAccessDenied" : "ProcNetTcpUnreadable",
                    error is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, path));
        }
        if (snap.Owners.ProcessesScanned > 0) WriteVerbose($"Owners from {ProcRoot}/PID/fd: {snap.Owners}.");
        ReportMissingListeners(snap);
        if (snap.Owners.ProcessesUnreadable > 0 && !Environment.IsPrivilegedProcess)
            WriteVerbose("Sockets of other users' processes show no owner: run as root to see them.");
        WriteVerbose($"{snap.Sockets.Count} sockets selected.");

        if (Summary) foreach (var row in ProcSocketReader.Summarize(snap.Sockets)) WriteObject(row);
        else foreach (var s in ProcSocketReader.Ordered(snap.Sockets)) WriteObject(s);
    }

    // The answer to a 111 (connection refused): nothing listens. Only a loopback upstream must
    // listen on this host; for others, the listener is elsewhere and only verbose says so.
    private void ReportMissingListeners(SocketSnapshot snap)
    {
        if (State is { Length: > 0 } && !State.Contains(TcpState.Listen)) return;
        foreach (var u in _upstreams)
        {
            if (u.Port is null || snap.Sockets.Any(s => s.IsListening && u.MatchesListener(System.Net.IPAddress.Parse(s.LocalAddress), s.LocalPort))) continue;
            if (Port is { Length: > 0 } && !Port.Contains(u.Port.Value)) continue;
            if (u.IsLoopback) WriteWarning($"Nothing listens on {u.Text} on this host: connections to it are refused (111).");
            else WriteVerbose($"{u.Text}: no listener on this host (the backend may be another host).");
        }
    }

    private static string SkipReasons(NginxUpstream.Sources.ReadStats s) =>
        s.SkippedTotal == 0 ? "" : " (" + string.Join(", ", s.Skipped.Select(p => $"{p.Value} {p.Key}")) + ")";

    protected override void StopProcessing() => _cancel.Cancel();
}
