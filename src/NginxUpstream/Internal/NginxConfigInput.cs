using System.Management.Automation;
using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Internal;

/// <summary>
/// Loads the config for Get-NginxConfig / Test-NginxKeepaliveConfig: a -Path, `nginx -T` text,
/// or (no input) this host's `nginx -T` with a fallback to /etc/nginx/nginx.conf; reports the
/// parser's errors as non-terminating ErrorRecords carrying file:line.
/// </summary>
internal static class NginxConfigInput
{
    public static NginxConfig? FromPath(PSCmdlet cmdlet, string path, bool literal, Version? version)
    {
        var resolved = PathResolver.Resolve(cmdlet, new[] { path }, literal);
        if (resolved.Count == 0) return null;
        cmdlet.WriteVerbose($"Parsing '{resolved[0]}' and its includes.");
        return NginxConfigLoader.LoadFile(resolved[0], null, version);
    }

    public static NginxConfig? FromDump(PSCmdlet cmdlet, StringBuilder text, Version? version, string label = "dump")
    {
        try { return NginxConfigLoader.LoadDump(text.ToString(), null, version, label); }
        catch (FormatException e)
        {
            cmdlet.WriteError(new ErrorRecord(e, "NotNginxDump", ErrorCategory.InvalidData, null)
            {
                ErrorDetails = new ErrorDetails($"The input is not `nginx -T` output: {e.Message}")
                { RecommendedAction = "Pipe the output of `nginx -T` (stdout), or use -Path for a config file." },
            });
            return null;
        }
    }

    /// <summary>No input: `nginx -T` on this host when nginx is on PATH, else (or when it fails) the default file.</summary>
    public static NginxConfig? FromHost(PSCmdlet cmdlet, Version? version, TimeSpan timeout)
    {
        var dump = NginxConfigLoader.RunDump(out var reason, timeout: timeout);
        if (dump is not null)
        {
            cmdlet.WriteVerbose("Read the configuration from `nginx -T`.");
            return FromDump(cmdlet, new StringBuilder(dump), version, "nginx -T");
        }
        cmdlet.WriteVerbose($"{reason}; reading {NginxConfigLoader.DefaultPath} instead.");
        if (!File.Exists(NginxConfigLoader.DefaultPath))
        {
            cmdlet.WriteError(new ErrorRecord(new FileNotFoundException($"{reason}, and {NginxConfigLoader.DefaultPath} does not exist.", NginxConfigLoader.DefaultPath),
                "NginxConfigNotFound", ErrorCategory.ObjectNotFound, NginxConfigLoader.DefaultPath)
            { ErrorDetails = new ErrorDetails($"No nginx configuration found: {reason}, and {NginxConfigLoader.DefaultPath} does not exist.") { RecommendedAction = "Pass -Path to the main config file, or pipe `nginx -T` output." } });
            return null;
        }
        return NginxConfigLoader.LoadFile(NginxConfigLoader.DefaultPath, null, version);
    }

    /// <summary>`nginx -v` when the caller gave no version.</summary>
    public static Version? Version(PSCmdlet cmdlet, string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            var v = NginxConfigLoader.ParseVersion(given);
            if (v is null)
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{given}' is not an nginx version such as 1.24.0."), "InvalidNginxVersion", ErrorCategory.InvalidArgument, given));
            return v;
        }
        var installed = NginxConfigLoader.GetInstalledVersion();
        cmdlet.WriteVerbose(installed is null ? "nginx version unknown (nginx not found); evaluating both regimes." : $"nginx -v: {installed}.");
        return installed;
    }

    public static void ReportErrors(PSCmdlet cmdlet, NginxConfig cfg)
    {
        foreach (var w in cfg.Warnings) cmdlet.WriteWarning(w);
        foreach (var e in cfg.Errors)
        {
            var (id, cat) = e.Kind switch
            {
                NginxConfigErrorKind.Syntax => ("NginxConfigSyntaxError", ErrorCategory.ParserError),
                NginxConfigErrorKind.Include => ("NginxConfigIncludeError", ErrorCategory.ReadError),
                _ => ("NginxConfigDirectiveError", ErrorCategory.InvalidData),
            };
            cmdlet.WriteError(new ErrorRecord(new NginxConfigException(e), id, cat, e.File is null ? cfg.MainFile : $"{e.File}:{e.Line}"));
        }
        cmdlet.WriteVerbose($"{cfg.Files.Count} file(s) read from {cfg.Source}; {cfg.Descendants().Count()} directives; {cfg.Errors.Count} error(s).");
    }
}

/// <summary>A configuration error, with the nginx-style message "... in FILE:LINE".</summary>
public sealed class NginxConfigException : Exception
{
    public NginxConfigException(NginxConfigError error) : base(error.ToString()) { Error = error; }
    public NginxConfigError Error { get; }
    public string? File => Error.File;
    public int Line => Error.Line;
}
