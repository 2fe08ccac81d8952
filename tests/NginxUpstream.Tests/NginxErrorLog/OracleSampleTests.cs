using System.Text.Json;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>
/// The 20 real-world lines of reference/landscape-oracles/samples.json (issue reports, other
/// platforms) with the fields their expectations name.
/// </summary>
public class OracleSampleTests
{
    private static readonly JsonElement[] Samples = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.Shared, "reference", "landscape-oracles", "samples.json"))).RootElement.EnumerateArray().ToArray();

    public static IEnumerable<object[]> Ids => Samples.Select(s => new object[] { s.GetProperty("id").GetString()! });

    [Theory]
    [MemberData(nameof(Ids))]
    public void SampleMatchesItsExpectations(string id)
    {
        var s = Samples.Single(x => x.GetProperty("id").GetString() == id);
        var reader = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc };
        var e = Assert.Single(reader.ReadLines(new[] { s.GetProperty("line").GetString()! }));
        foreach (var p in s.GetProperty("expect").EnumerateObject())
        {
            var v = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString();
            switch (p.Name)
            {
                case "errno": Assert.Equal(v, e.Errno?.ToString()); break;
                case "action": Assert.Equal(v, e.Action); break;
                case "upstream": Assert.Equal(v, e.Upstream); break;
                case "server": Assert.Equal(v, e.Server); break;
                case "host": Assert.Equal(v, e.Host ?? ""); break;
                case "client": Assert.Equal(v, e.Client); break;
                case "cid": Assert.Equal(v, e.ConnectionId?.ToString()); break;
                case "level": Assert.Equal(v, e.Level.ToString().ToLowerInvariant()); break;
                case "module": Assert.Equal(v, e.ContextKind.ToString().ToLowerInvariant()); break;
                case "klass":
                    Assert.Equal(v switch { "RST" => UpstreamErrorKind.Reset, "FIN" => UpstreamErrorKind.PrematureClose, _ => (UpstreamErrorKind)(-1) }, e.Kind);
                    break;
                case "side" when v == "ambiguous":
                    // recv() 104 while proxying upgraded connection: the level decides (error = the upstream socket).
                    Assert.Equal(e.Level >= NginxLogLevel.Info ? ErrorSide.Client : ErrorSide.Upstream, e.Side);
                    break;
                case "side": Assert.Equal(v, e.Side.ToString().ToLowerInvariant()); break;
                case "message":
                    // Their message keeps the errno and phase; ours splits them off.
                    Assert.StartsWith(e.Message, v);
                    break;
                case "zone": Assert.Contains($"by zone \"{v}\"", e.Message); break;
                default: throw new Xunit.Sdk.XunitException($"unknown expectation {p.Name}");
            }
        }
    }
}
