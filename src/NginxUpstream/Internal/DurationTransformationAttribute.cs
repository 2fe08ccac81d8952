using System.Management.Automation;
using NginxUpstream.Analysis.Keepalive;

namespace NginxUpstream.Internal;

/// <summary>
/// Accepts a TimeSpan, a number of seconds, or nginx time syntax ("5s", "500ms", "1m30s"). An unquoted
/// 5s reaches us as the short 5 (PowerShell's numeric suffix), which is 5 seconds too.
/// </summary>
internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var v = inputData is PSObject p ? p.BaseObject : inputData;
        return v switch
        {
            null => null,
            TimeSpan t => t,
            byte or sbyte or short or ushort or int or uint or long or ulong or double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(v)),
            string s when NginxValues.ParseTime(s) is TimeSpan t => t,
            string s when TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) => t,
            _ => throw new ArgumentTransformationMetadataException($"'{v}' is not a duration: use a TimeSpan, seconds, or nginx syntax such as 5s or 500ms."),
        };
    }
}
