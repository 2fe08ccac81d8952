using System.Text;
using System.Text.RegularExpressions;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// The simple entry points other commands use: load a config from a file, from `nginx -T`
/// text, or from the nginx on this host; read nginx's version.
/// </summary>
public static class NginxConfigLoader
{
    public const string DefaultPath = "/etc/nginx/nginx.conf";
    private static readonly Regex VersionRe = new(@"nginx/(\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant);

    /// <summary>Parses a main config file and its includes from disk.</summary>
    public static Model.NginxConfig LoadFile(string path, NginxParseOptions? options = null, Version? version = null)
    {
        var full = Path.GetFullPath(path);
        var cfg = new NginxConfigParser(new DiskConfigSource(), options).Parse(full, full);
        cfg.NginxVersion = version;
        return cfg;
    }

    /// <summary>Parses the text of `nginx -T` (includes are resolved inside the dump, never on disk).</summary>
    public static Model.NginxConfig LoadDump(string dumpText, NginxParseOptions? options = null, Version? version = null, string sourceLabel = "dump")
    {
        var dump = NginxDumpSplitter.Split(dumpText);
        var cfg = new NginxConfigParser(new DumpConfigSource(dump.Files), options).Parse(dump.MainFile, sourceLabel);
        cfg.NginxVersion = version;
        cfg.Warnings = dump.Warnings;
        return cfg;
    }

    /// <summary>Parses a config given as text (a snippet or a whole file) under a display name.</summary>
    public static Model.NginxConfig LoadText(string text, string fileName = "/dev/stdin", NginxParseOptions? options = null, Version? version = null)
    {
        var files = new Dictionary<string, byte[]> { [fileName] = Encoding.UTF8.GetBytes(text) };
        var cfg = new NginxConfigParser(new DumpConfigSource(files), options).Parse(fileName, fileName);
        cfg.NginxVersion = version;
        return cfg;
    }

    /// <summary>`nginx -v` → version, or null when nginx is absent or says something else.</summary>
    public static Version? GetInstalledVersion(string? nginx = null, TimeSpan? timeout = null)
    {
        nginx ??= ExternalCommand.Which("nginx");
        if (nginx is null) return null;
        try
        {
            var r = ExternalCommand.Run(nginx, new[] { "-v" }, timeout ?? TimeSpan.FromSeconds(10));
            return ParseVersion(r.StandardError + "\n" + r.StandardOutput);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException) { return null; }
    }

    /// <summary>The version in "nginx version: nginx/1.22.1" (or a bare "1.22.1").</summary>
    public static Version? ParseVersion(string text)
    {
        var m = VersionRe.Match(text);
        var s = m.Success ? m.Groups[1].Value : text.Trim();
        return Version.TryParse(s, out var v) ? v : null;
    }

    /// <summary>
    /// Runs `nginx -T` (argument list, timeout). Returns the dump text, or null with the reason
    /// (nginx missing, test failed, timed out) so the caller can fall back to the file.
    /// </summary>
    public static string? RunDump(out string? reason, string? nginx = null, TimeSpan? timeout = null, string? configFile = null)
    {
        nginx ??= ExternalCommand.Which("nginx");
        if (nginx is null) { reason = "nginx is not on PATH"; return null; }
        var args = new List<string> { "-T", "-q" };
        if (configFile is not null) { args.Add("-c"); args.Add(configFile); }
        try
        {
            var r = ExternalCommand.Run(nginx, args, timeout ?? TimeSpan.FromSeconds(30));
            if (r.TimedOut) { reason = $"'{nginx} -T' timed out"; return null; }
            if (r.ExitCode != 0 || !r.StandardOutput.Contains("# configuration file ", StringComparison.Ordinal))
            {
                reason = $"'{nginx} -T' failed (exit {r.ExitCode}): {r.StandardError.Trim()}";
                return null;
            }
            reason = null;
            return r.StandardOutput;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            reason = $"could not run '{nginx} -T': {e.Message}";
            return null;
        }
    }
}
