using System.Management.Automation;
using NginxUpstream.Export;
using NginxUpstream.Internal;
using NginxUpstream.Model;

namespace NginxUpstream.Commands;

/// <summary>
/// Reads findings YAML written by Export-NginxFinding back into the same types. Only the closed
/// set of finding types is ever constructed; a finding that does not fit the schema is a
/// non-terminating error and the others are still returned.
/// </summary>
[Cmdlet(VerbsData.Import, "NginxFinding", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ResetDiagnosis), typeof(ConfigFinding), typeof(UpstreamError), typeof(OomKill),
    typeof(ProcessCrash), typeof(BackendEvent), typeof(NginxDirective))]
public sealed class ImportNginxFindingCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Findings files to read; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Findings files, taken literally. Binds PSPath from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    protected override void ProcessRecord()
    {
        var files = PathResolver.Resolve(this, LiteralPath ?? Path, literal: LiteralPath is not null);
        foreach (var file in files)
        {
            if (Stopping) return;
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(Errors.FromReadException(e, file));
                continue;
            }
            FindingDocument.ReadResult result;
            try { result = FindingDocument.Deserialize(text); }
            catch (FindingFormatException e)
            {
                WriteError(new ErrorRecord(e, "InvalidFindingDocument", ErrorCategory.InvalidData, file)
                {
                    ErrorDetails = new ErrorDetails($"'{file}' is not a findings document: {e.Message}")
                    { RecommendedAction = "Give a file written by Export-NginxFinding (schemaVersion 1)." },
                });
                continue;
            }
            WriteVerbose($"'{file}': {result.Findings.Count} finding(s), {result.Problems.Count} unreadable.");
            foreach (var p in result.Problems)
                WriteError(new ErrorRecord(p, "InvalidFinding", ErrorCategory.InvalidData, file)
                {
                    ErrorDetails = new ErrorDetails($"'{file}': {p.Message}"),
                });
            foreach (var f in result.Findings) WriteObject(f);
        }
    }
}
