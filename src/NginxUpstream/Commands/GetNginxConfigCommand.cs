using System.Management.Automation;
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
public sealed class GetNginxConfigCommand : NginxConfigCommandBase
{
    /// <summary>Every directive, depth first, instead of the top-level ones.</summary>
    [Parameter]
    public SwitchParameter Flatten { get; set; }

    /// <summary>Return one NginxConfig object (files, errors, tree) instead of directives.</summary>
    [Parameter]
    public SwitchParameter AsConfig { get; set; }

    /// <summary>Return the crossplane-shaped JSON payload as a string.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    protected override void ProcessRecord() => CollectDump();

    protected override void EndProcessing()
    {
        var cfg = LoadConfig(NginxConfigInput.Version(this, NginxVersion));
        if (cfg is null) return;
        NginxConfigInput.ReportErrors(this, cfg);
        if (AsJson) WriteObject(CrossplaneJson.Write(cfg));
        else if (AsConfig) WriteObject(cfg);
        else if (Flatten) foreach (var d in cfg.Descendants()) WriteObject(d);
        else foreach (var d in cfg.Directives) WriteObject(d);
    }
}
