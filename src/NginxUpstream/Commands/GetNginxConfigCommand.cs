using System.Management.Automation;
using System.Text;
using NginxUpstream.Internal;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Commands;

/// <summary>
/// Parses an nginx configuration the way nginx does (includes resolved) and returns its
/// directives: from -Path, from `nginx -T` text (-Dump or the pipeline), or, with no input, from
/// this host's `nginx -T` (falling back to /etc/nginx/nginx.conf).
/// </summary>
[Cmdlet(VerbsCommon.Get, "NginxConfig", DefaultParameterSetName = PathSet)]
[OutputType(typeof(NginxDirective), typeof(NginxConfig), typeof(string))]
public sealed class GetNginxConfigCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string DumpSet = "Dump";
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

    /// <summary>The nginx version (e.g. 1.24.0) recorded on the result; default `nginx -v` when nginx is installed.</summary>
    [Parameter]
    public string? NginxVersion { get; set; }

    /// <summary>Every directive, depth first, instead of the top-level ones.</summary>
    [Parameter]
    public SwitchParameter Flatten { get; set; }

    /// <summary>Return one NginxConfig object (files, errors, tree) instead of directives.</summary>
    [Parameter]
    public SwitchParameter AsConfig { get; set; }

    /// <summary>Return the crossplane-shaped JSON payload as a string.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    /// <summary>Seconds to wait for `nginx -T` when no input is given.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    protected override void ProcessRecord()
    {
        if (ParameterSetName != DumpSet || Dump is null) return;
        _sawDump = true;
        foreach (var l in Dump) _dump.Append(l).Append('\n');
    }

    protected override void EndProcessing()
    {
        var version = NginxConfigInput.Version(this, NginxVersion);
        NginxConfig? cfg = ParameterSetName switch
        {
            DumpSet => _sawDump ? NginxConfigInput.FromDump(this, _dump, version) : null,
            LiteralPathSet => NginxConfigInput.FromPath(this, LiteralPath!, true, version),
            _ when Path is not null => NginxConfigInput.FromPath(this, Path, false, version),
            _ => NginxConfigInput.FromHost(this, version, TimeSpan.FromSeconds(TimeoutSeconds)),
        };
        if (cfg is null) return;
        NginxConfigInput.ReportErrors(this, cfg);
        if (AsJson) WriteObject(CrossplaneJson.Write(cfg));
        else if (AsConfig) WriteObject(cfg);
        else if (Flatten) foreach (var d in cfg.Descendants()) WriteObject(d);
        else foreach (var d in cfg.Directives) WriteObject(d);
    }
}
