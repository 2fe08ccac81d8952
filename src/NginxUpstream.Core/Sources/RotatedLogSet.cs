using System.Text.RegularExpressions;

namespace NginxUpstream.Sources;

/// <summary>
/// A log and its logrotate siblings (error.log.1, error.log.2.gz, ... and dateext forms
/// error.log-20261127[.gz]) ordered oldest first, so records come out in time order.
/// </summary>
public static partial class RotatedLogSet
{
    [GeneratedRegex(@"^\.(?<n>\d+)(?:\.gz)?$")]
    private static partial Regex NumberedSuffix();

    [GeneratedRegex(@"^-(?<d>\d{8,10})(?:\.gz)?$")]
    private static partial Regex DateSuffix();

    /// <summary>
    /// The existing members of the set of <paramref name="basePath"/>, oldest first: dateext
    /// files by date, then numbered files from the highest number down, then the live file.
    /// </summary>
    public static IReadOnlyList<string> Expand(string basePath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(basePath)) ?? "/";
        var name = Path.GetFileName(basePath);
        var numbered = new List<(long n, string path)>();
        var dated = new List<(string d, string path)>();
        if (Directory.Exists(dir))
        {
            foreach (var f in Directory.EnumerateFiles(dir, name + "*"))
            {
                var suffix = Path.GetFileName(f)[name.Length..];
                var m = NumberedSuffix().Match(suffix);
                if (m.Success && long.TryParse(m.Groups["n"].Value, out var n)) { numbered.Add((n, f)); continue; }
                var d = DateSuffix().Match(suffix);
                if (d.Success) dated.Add((d.Groups["d"].Value, f));
            }
        }
        var result = new List<string>();
        result.AddRange(dated.OrderBy(x => x.d, StringComparer.Ordinal).Select(x => x.path));
        result.AddRange(numbered.OrderByDescending(x => x.n).Select(x => x.path));
        if (File.Exists(basePath)) result.Add(Path.GetFullPath(basePath));
        return result;
    }
}
