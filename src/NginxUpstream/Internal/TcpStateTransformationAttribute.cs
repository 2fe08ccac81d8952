using System.Collections;
using System.Management.Automation;
using NginxUpstream.Model;

namespace NginxUpstream.Internal;

/// <summary>
/// -State takes the enum names (TimeWait) and the names operators type from ss and the kernel:
/// TIME-WAIT, TIME_WAIT, ESTAB, SYN-SENT, CLOSE-WAIT, LISTEN...
/// </summary>
public sealed class TcpStateTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var v = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (v is null or TcpState or TcpState[]) return v;
        if (v is string s) return new[] { Parse(s) };
        if (v is IEnumerable seq)
        {
            var list = new List<object?>();
            foreach (var item in seq) list.Add(item is PSObject p ? p.BaseObject : item);
            return list.Select(i => i is TcpState t ? t : i is string str ? Parse(str) : (TcpState)LanguagePrimitives.ConvertTo(i, typeof(TcpState))).ToArray();
        }
        return v;
    }

    private static TcpState Parse(string text)
    {
        var key = text.Trim().Replace("-", "").Replace("_", "");
        if (key.Equals("ESTAB", StringComparison.OrdinalIgnoreCase)) return TcpState.Established;
        if (Enum.TryParse<TcpState>(key, ignoreCase: true, out var st) && Enum.IsDefined(st) && !int.TryParse(key, out _)) return st;
        throw new ArgumentTransformationMetadataException(
            $"'{text}' is not a TCP state. Use one of {string.Join(", ", Enum.GetNames<TcpState>().Skip(1))} (or the ss names: ESTAB, TIME-WAIT, CLOSE-WAIT, ...).");
    }
}
