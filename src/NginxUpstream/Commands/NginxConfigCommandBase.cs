using System.Management.Automation;
using System.Text;
using NginxUpstream.Internal;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// The configuration input shared by Get-NginxConfig and Test-NginxKeepaliveConfig: -Path,
/// -LiteralPath (PSPath), `nginx -T` text as -Dump or from the pipeline, -NginxVersion, and with
/// no input this host's `nginx -T` (falling back to /etc/nginx/nginx.conf) within -TimeoutSeconds.
/// </summary>
public abstract class NginxConfigCommandBase : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string DumpSet = "Dump";

    private readonly StringBuilder _dump = new();
    private bool _sawDump;

    /// <summary>The main config file (default: nginx -T on this host, else /etc/nginx/nginx.conf).</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The main config file, taken literally. Binds PSPath from Get-Item.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Text of `nginx -T` (lines from the pipeline, or one string).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = DumpSet)]
    [AllowEmptyString]
    public string[]? Dump { get; set; }

    /// <summary>The nginx version (e.g. 1.24.0); default `nginx -v` when nginx is installed.</summary>
    [Parameter]
    public string? NginxVersion { get; set; }

    /// <summary>Seconds to wait for `nginx -T` when no input is given.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Collects -Dump text; call from ProcessRecord.</summary>
    protected void CollectDump()
    {
        if (ParameterSetName != DumpSet || Dump is null) return;
        _sawDump = true;
        foreach (var l in Dump) _dump.Append(l).Append('\n');
    }

    /// <summary>
    /// Loads the configuration the parameters name; null (errors already written) when there is
    /// nothing to load. Call from EndProcessing, once all -Dump text has arrived.
    /// </summary>
    protected NginxConfig? LoadConfig(Version? version) => ParameterSetName switch
    {
        DumpSet => _sawDump ? NginxConfigInput.FromDump(this, _dump, version) : null,
        LiteralPathSet => NginxConfigInput.FromPath(this, LiteralPath!, true, version),
        _ when Path is not null => NginxConfigInput.FromPath(this, Path, false, version),
        _ => NginxConfigInput.FromHost(this, version, TimeSpan.FromSeconds(TimeoutSeconds)),
    };
}
