using System.Management.Automation;
using System.Text;
using NginxUpstream.Export;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Writes findings and records (ResetDiagnosis, ConfigFinding, UpstreamError, OomKill,
/// ProcessCrash, BackendEvent, NginxDirective) as one YAML document (schemaVersion 1, see
/// docs/findings-schema.md) to a file, or to the pipeline as text when no path is given.
/// Like Export-Csv: collects the input, writes once at the end, -Force / -NoClobber, ShouldProcess.
/// </summary>
[Cmdlet(VerbsData.Export, "NginxFinding", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo), typeof(string))]
public sealed class ExportNginxFindingCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private readonly List<object> _findings = new();

    /// <summary>The objects to export, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>File to write. Without -Path or -LiteralPath the YAML goes to the pipeline as one string.</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>File to write, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Overwrite a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Do not overwrite an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    protected override void ProcessRecord()
    {
        var v = InputObject is PSObject pso ? pso.BaseObject : InputObject;
        if (v is null) return;
        // Invoke-NginxResetDiagnosis's report: its diagnoses are the findings.
        if (v is NginxResetReport report)
        {
            _findings.AddRange(report.Diagnoses);
            return;
        }
        if (FindingTypes.NameOf(v) is null)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"Cannot export a {v.GetType().FullName}. Export-NginxFinding takes {string.Join(", ", FindingTypes.Names)} objects."),
                "UnsupportedFindingType", ErrorCategory.InvalidArgument, InputObject));
            return;
        }
        _findings.Add(v);
    }

    protected override void EndProcessing()
    {
        var target = Path ?? LiteralPath;
        if (target is null)
        {
            WriteObject(Serialize());
            return;
        }
        var file = ResolveTarget(target, literal: LiteralPath is not null);
        var info = new FileInfo(file);
        if (info.Exists)
        {
            if (NoClobber)
                ThrowTerminatingError(new ErrorRecord(new IOException($"The file '{file}' already exists and -NoClobber was given."),
                    "FileExists", ErrorCategory.ResourceExists, file));
        }
        else if (!Directory.Exists(info.DirectoryName))
        {
            ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"Cannot write '{file}': the folder '{info.DirectoryName}' does not exist."),
                "DirectoryNotFound", ErrorCategory.ObjectNotFound, file));
        }
        if (!ShouldProcess(file, $"Write {_findings.Count} finding(s) as YAML")) return;
        if (info.Exists && info.IsReadOnly)
        {
            if (!Force)
                ThrowTerminatingError(new ErrorRecord(new UnauthorizedAccessException($"The file '{file}' is read-only; use -Force to overwrite it."),
                    "FileReadOnly", ErrorCategory.PermissionDenied, file));
            info.IsReadOnly = false;
        }
        try
        {
            File.WriteAllText(file, Serialize(), new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, e is UnauthorizedAccessException ? "FileAccessDenied" : "FileWriteError",
                e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, file));
        }
        WriteObject(new FileInfo(file));
    }

    private string Serialize() => FindingDocument.Serialize(_findings);

    private string ResolveTarget(string path, bool literal)
    {
        ProviderInfo provider;
        string resolved;
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            // A pattern must name exactly one existing file, as Export-Csv requires.
            List<string> matches;
            try { matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider).ToList(); }
            catch (ItemNotFoundException) { matches = new List<string>(); provider = null!; }
            if (matches.Count != 1)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The path '{path}' resolves to {matches.Count} files; give exactly one."),
                    "PathNotUnique", ErrorCategory.InvalidArgument, path));
            resolved = matches[0];
        }
        else resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        if (provider.Name != "FileSystem")
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}' is not a file system path."),
                "NotFileSystemPath", ErrorCategory.InvalidArgument, path));
        if (Directory.Exists(resolved))
            ThrowTerminatingError(new ErrorRecord(new IOException($"'{resolved}' is a directory; give a file name."),
                "PathIsDirectory", ErrorCategory.InvalidArgument, path));
        return resolved;
    }
}
