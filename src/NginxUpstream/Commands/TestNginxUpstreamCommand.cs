using System.Management.Automation;
using NginxUpstream.Model;
using NginxUpstream.Probing;

namespace NginxUpstream.Commands;

/// <summary>
/// Sends one GET straight to each upstream, bypassing nginx (the `curl http://backend/` step):
/// connect result as the errno nginx would log, status, timings, keepalive headers and, with
/// -IdleProbe, how long the backend really keeps an idle keepalive connection.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "NginxUpstream")]
[OutputType(typeof(UpstreamProbe))]
public sealed class TestNginxUpstreamCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>host:port, [IPv6]:port, http://host:port/path or unix:/path; binds UpstreamError.UpstreamAddress from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UpstreamAddress")]
    [AllowEmptyString, AllowEmptyCollection]
    public string[] Upstream { get; set; } = Array.Empty<string>();

    /// <summary>The request path (default: the path of a URL typed as -Upstream, else "/"; always "/" for pipeline input).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The Host header to send (default: the upstream's host:port).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostHeader { get; set; }

    /// <summary>Seconds allowed for the connect, and again for the response.</summary>
    [Parameter]
    [ValidateRange(0.001, 3600)]
    public double TimeoutSec { get; set; } = 5;

    /// <summary>After the response, keep the connection idle and measure when the server closes it.</summary>
    [Parameter]
    public SwitchParameter IdleProbe { get; set; }

    /// <summary>How long an idle probe waits for the server to close (default 75 s, above nginx's 60 s keepalive_timeout).</summary>
    [Parameter]
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromSeconds(75);

    protected override void BeginProcessing()
    {
        if (MaxIdle <= TimeSpan.Zero)
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(MaxIdle), MaxIdle, "-MaxIdle must be positive."),
                "InvalidMaxIdle", ErrorCategory.InvalidArgument, MaxIdle));
        if (Path is not null && !Path.StartsWith('/') && Path != "*")
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Path '{Path}' must start with '/'."), "InvalidRequestPath", ErrorCategory.InvalidArgument, Path));
        if (Path is not null && Path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Path '{Path}' contains spaces or control characters: percent-encode them."), "InvalidRequestPath", ErrorCategory.InvalidArgument, Path));
        if (HostHeader is not null && HostHeader.Any(c => char.IsControl(c)))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-HostHeader contains control characters."), "InvalidHostHeader", ErrorCategory.InvalidArgument, HostHeader));
    }

    protected override void ProcessRecord()
    {
        foreach (var text in Upstream)
        {
            var key = text?.Trim() ?? "";
            if (key.Length == 0) continue;
            var problem = ProbeTarget.TryParse(key, out var target);
            if (problem != ProbeTargetProblem.None)
            {
                if (_seen.Add("!" + key)) WriteError(Invalid(key, problem, text));
                continue;
            }
            // Many errors (many URIs) of one upstream probe it once.
            if (!_seen.Add(target!.Key))
            {
                WriteVerbose($"{key}: {target} already probed, skipped.");
                continue;
            }
            var options = new ProbeOptions
            {
                // Upstreams from the pipeline (an UpstreamError's logged URL) get "/": a probe must not
                // replay a client's request URI (a POST endpoint, a query with a token).
                Path = Path ?? (MyInvocation.ExpectingInput ? "/" : null),
                HostHeader = HostHeader,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                IdleProbe = IdleProbe,
                MaxIdle = MaxIdle,
            };
            UpstreamProbe probe;
            try { probe = UpstreamProber.Probe(target, options, WriteVerbose, _cancel.Token); }
            catch (OperationCanceledException) { return; }
            WriteObject(probe);
        }
    }

    private static ErrorRecord Invalid(string key, ProbeTargetProblem problem, object? target) => problem switch
    {
        ProbeTargetProblem.Https => new ErrorRecord(
            new NotSupportedException($"'{key}' is an https upstream: Test-NginxUpstream speaks plain HTTP/1.1 only (use curl -v for TLS upstreams)."),
            "HttpsNotSupported", ErrorCategory.NotImplemented, target),
        ProbeTargetProblem.UnsupportedScheme => new ErrorRecord(
            new NotSupportedException($"'{key}' is not an http:// upstream: only http://, host:port, [IPv6]:port and unix:/path are probed."),
            "UnsupportedScheme", ErrorCategory.InvalidArgument, target),
        ProbeTargetProblem.BadPort => new ErrorRecord(
            new ArgumentException($"'{key}' has an invalid port (1-65535)."), "InvalidUpstream", ErrorCategory.InvalidArgument, target),
        _ => new ErrorRecord(
            new ArgumentException($"'{key}' is not an upstream address (host:port, [IPv6]:port, http://host:port/path or unix:/path)."),
            "InvalidUpstream", ErrorCategory.InvalidArgument, target),
    };

    protected override void StopProcessing() => _cancel.Cancel();
}
