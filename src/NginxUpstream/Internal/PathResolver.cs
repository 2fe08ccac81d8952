using System.Management.Automation;

namespace NginxUpstream.Internal;

/// <summary>
/// -Path / -LiteralPath resolution through PowerShell's provider API (relative to the
/// PowerShell location, wildcards via the provider), as Get-FileHash does. Problems become
/// non-terminating errors with stable ids; the other paths still resolve.
/// </summary>
internal static class PathResolver
{
    public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string>? paths, bool literal)
    {
        var result = new List<string>();
        if (paths is null) return result;
        foreach (var path in paths)
        {
            try
            {
                IEnumerable<string> resolved;
                ProviderInfo provider;
                if (literal)
                {
                    var p = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
                    resolved = new[] { p };
                }
                else
                {
                    resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                }
                if (provider.Name != "FileSystem")
                {
                    cmdlet.WriteError(new ErrorRecord(new ArgumentException($"'{path}' is not a file system path."),
                        "NotFileSystemPath", ErrorCategory.InvalidArgument, path));
                    continue;
                }
                foreach (var r in resolved)
                {
                    if (Directory.Exists(r))
                    {
                        cmdlet.WriteError(new ErrorRecord(new IOException($"'{r}' is a directory, not a log file."),
                            "PathIsDirectory", ErrorCategory.InvalidArgument, path));
                        continue;
                    }
                    if (!File.Exists(r))
                    {
                        cmdlet.WriteError(Errors.FileNotFound(r, path));
                        continue;
                    }
                    result.Add(r);
                }
            }
            catch (ItemNotFoundException)
            {
                // A wildcard that matched nothing is not an error (Get-ChildItem behaves the same).
                if (!WildcardPattern.ContainsWildcardCharacters(path))
                    cmdlet.WriteError(Errors.FileNotFound(path, path));
            }
            catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or PSArgumentException or NotSupportedException)
            {
                cmdlet.WriteError(new ErrorRecord(e, "InvalidPath", ErrorCategory.InvalidArgument, path));
            }
        }
        return result;
    }
}
