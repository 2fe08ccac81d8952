using System.Management.Automation;
using NginxUpstream.Sources;

namespace NginxUpstream.Internal;

/// <summary>
/// The module's stable ErrorIds. Tests assert "&lt;Id&gt;,NginxUpstream.Commands.&lt;Class&gt;".
/// </summary>
internal static class Errors
{
    public static ErrorRecord FileNotFound(string resolved, object target) =>
        new(new FileNotFoundException($"Cannot find the file '{resolved}' because it does not exist.", resolved),
            "FileNotFound", ErrorCategory.ObjectNotFound, target);

    /// <summary>Maps an exception raised while reading a file to the right id and category.</summary>
    public static ErrorRecord FromReadException(Exception e, string path) => e switch
    {
        UnauthorizedAccessException => new ErrorRecord(e, "FileAccessDenied", ErrorCategory.PermissionDenied, path)
        {
            ErrorDetails = new ErrorDetails($"Permission denied reading '{path}'.")
            { RecommendedAction = "Run as root, or add your user to the group that owns the log (adm on Debian/Ubuntu)." },
        },
        FileNotFoundException or DirectoryNotFoundException => FileNotFound(path, path),
        LogReadException lre => new ErrorRecord(e, "CorruptLogFile", ErrorCategory.InvalidData, path)
        {
            ErrorDetails = new ErrorDetails($"{lre.Message} The records read before that point were kept."),
        },
        InvalidDataException => new ErrorRecord(e, "CorruptLogFile", ErrorCategory.InvalidData, path),
        _ => new ErrorRecord(e, "FileReadError", ErrorCategory.ReadError, path),
    };
}
