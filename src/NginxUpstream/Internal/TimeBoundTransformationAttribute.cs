using System.Globalization;
using System.Management.Automation;

namespace NginxUpstream.Internal;

/// <summary>
/// Lets -Since/-Until take a DateTime, a DateTimeOffset, a TimeSpan meaning "that long ago"
/// (-Since (New-TimeSpan -Minutes 15), or '00:15:00'), or a date string; yields DateTimeOffset.
/// A DateTime of unspecified kind is read as the host's local time, as Get-Date produces it.
/// </summary>
public sealed class TimeBoundTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var v = inputData is PSObject pso ? pso.BaseObject : inputData;
        return v switch
        {
            null => null,
            DateTimeOffset d => d,
            DateTime d => d.Kind == DateTimeKind.Utc ? new DateTimeOffset(d) : new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Local)),
            TimeSpan t => DateTimeOffset.Now - t.Duration(),
            int or long => throw new ArgumentTransformationMetadataException(
                "Give a DateTime (Get-Date) or a TimeSpan ago (New-TimeSpan -Minutes 15), not a bare number."),
            string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var t) && s.Contains(':') && !s.Contains('-') && !s.Contains('/') => DateTimeOffset.Now - t.Duration(),
            string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var d) => d,
            _ => throw new ArgumentTransformationMetadataException(
                $"Cannot read '{v}' as a point in time: give a DateTime, a DateTimeOffset, or a TimeSpan meaning 'ago'."),
        };
    }
}
