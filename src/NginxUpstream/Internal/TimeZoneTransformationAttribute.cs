using System.Management.Automation;
using NginxUpstream.Time;

namespace NginxUpstream.Internal;

/// <summary>-TimeZone takes a TimeZoneInfo, an IANA id ('Europe/Berlin'), 'UTC', 'Local' or an offset ('+02:00').</summary>
public sealed class TimeZoneTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var v = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (v is null or TimeZoneInfo) return v;
        try { return TimeZones.Resolve(v.ToString()!); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentTransformationMetadataException(
                $"Unknown time zone '{v}'. Use an IANA id such as 'Europe/Berlin', 'UTC', 'Local' or an offset such as '+02:00'.", e);
        }
    }
}
