using System.Reflection;
using NginxUpstream.Export;
using NginxUpstream.Model;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace NginxUpstream.Tests.Export;

public class FindingDocumentTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);

    public static IEnumerable<object[]> AllSamples() => Samples.All();

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void RoundTripsEveryTypeToEqualYaml(object finding)
    {
        var yaml = FindingDocument.Serialize(new[] { finding }, Stamp);
        var back = FindingDocument.Deserialize(yaml);
        Assert.Empty(back.Problems);
        var only = Assert.Single(back.Findings);
        Assert.IsType(finding.GetType(), only);
        Assert.Equal(yaml, FindingDocument.Serialize(new[] { only }, Stamp));
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void EverySettablePropertyOfTheSampleIsWrittenAndRead(object finding)
    {
        // Guards the mapper, not the sample: each property set on the sample must come back equal.
        var back = FindingDocument.Deserialize(FindingDocument.Serialize(new[] { finding }, Stamp)).Findings[0];
        foreach (var p in finding.GetType().GetProperties().Where(p => p.SetMethod is { IsPublic: true }))
        {
            var a = System.Text.Json.JsonSerializer.Serialize(p.GetValue(finding));
            var b = System.Text.Json.JsonSerializer.Serialize(p.GetValue(back));
            Assert.True(a == b, $"{p.Name}: {a} != {b}");
        }
    }

    [Fact]
    public void ScalarValuesSurviveExactly()
    {
        var e = (UpstreamError)FindingDocument.Deserialize(FindingDocument.Serialize(new[] { Samples.Error() })).Findings[0];
        Assert.Equal(Samples.T0, e.Time);
        Assert.Equal(TimeSpan.FromHours(1), e.Time.Offset);
        Assert.Equal(77L, e.ConnectionId);
        Assert.Equal("http://x/\"quoted\", host: \"y\"", e.Referrer);
        Assert.Equal("1/2", e.Extra!["bytes"]);
        var o = (OomKill)FindingDocument.Deserialize(FindingDocument.Serialize(new[] { Samples.Oom() })).Findings[0];
        Assert.Equal(12345.678901, o.BootSeconds);
        Assert.Equal(-100, o.OomScoreAdj);
        var d = (NginxDirective)FindingDocument.Deserialize(FindingDocument.Serialize(new[] { Samples.Directive() })).Findings[0];
        Assert.Equal("16", d.Block![1].Args[0]);
        Assert.Null(d.Block[0].Block);
        Assert.NotNull(d.Block[1].Block);
    }

    [Fact]
    public void DocumentHasVersionGeneratorAndCamelCaseKeysInDocumentedOrder()
    {
        var yaml = FindingDocument.Serialize(new object[] { Samples.Oom(), Samples.Diagnosis() }, Stamp);
        var ys = new YamlStream();
        ys.Load(new StringReader(yaml));
        var root = (YamlMappingNode)ys.Documents[0].RootNode;
        Assert.Equal(new[] { "schemaVersion", "generator", "generatedAt", "findings" }, root.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal("1", ((YamlScalarNode)root["schemaVersion"]).Value);
        Assert.StartsWith("NginxUpstream ", ((YamlScalarNode)root["generator"]).Value);
        var oom = (YamlMappingNode)((YamlSequenceNode)root["findings"])[0];
        var keys = oom.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToArray();
        Assert.Equal(new[] { "type", "time", "bootSeconds", "bootId", "hostName", "killer", "processId", "processName" }, keys.Take(8));
        Assert.Equal(new[] { "source", "lineNumber", "line" }, keys.TakeLast(3));
        Assert.Equal("OomKill", ((YamlScalarNode)oom["type"]).Value);
        var diag = (YamlMappingNode)((YamlSequenceNode)root["findings"])[1];
        Assert.Equal("BackendOomKilled", ((YamlScalarNode)diag["cause"]).Value);
        var hyp = (YamlMappingNode)((YamlSequenceNode)diag["hypotheses"])[0];
        Assert.Equal(new[] { "id", "cause", "score", "reason", "evidence", "errorsExplained" }, hyp.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.DoesNotContain("origin:", yaml);
    }

    [Fact]
    public void NullsAreLeftOut()
    {
        var yaml = FindingDocument.Serialize(new[] { new OomKill { ProcessId = 5, Time = Samples.T0 } });
        Assert.DoesNotContain("processName", yaml);
        Assert.Contains("processId: 5", yaml);
    }

    [Fact]
    public void UnknownTypeIsAProblemAndTheRestIsRead()
    {
        var yaml = "schemaVersion: 1\nfindings:\n- type: \"System.Diagnostics.Process\"\n  fileName: \"/bin/sh\"\n- type: \"OomKill\"\n  processId: 7\n";
        var r = FindingDocument.Deserialize(yaml);
        Assert.Equal(7, ((OomKill)Assert.Single(r.Findings)).ProcessId);
        var p = Assert.Single(r.Problems);
        Assert.Equal("findings[0].type", p.Path);
    }

    [Fact]
    public void YamlTagsNeverChooseTheType()
    {
        var yaml = "schemaVersion: 1\nfindings:\n- !<tag:yaml.org,2002:System.IO.FileInfo>\n  type: \"BackendEvent\"\n  processId: 9\n";
        var r = FindingDocument.Deserialize(yaml);
        Assert.IsType<BackendEvent>(Assert.Single(r.Findings));
    }

    [Fact]
    public void BadValueNamesItsPath()
    {
        var r = FindingDocument.Deserialize("schemaVersion: 1\nfindings:\n- type: \"ResetDiagnosis\"\n  cause: \"Gremlins\"\n");
        Assert.Empty(r.Findings);
        Assert.Equal("findings[0].cause", Assert.Single(r.Problems).Path);
    }

    [Theory]
    [InlineData("findings: []\n", "schemaVersion")]
    [InlineData("schemaVersion: 2\nfindings: []\n", "schemaVersion")]
    [InlineData("- a\n- b\n", "document")]
    [InlineData("schemaVersion: 1\nfindings: {a: 1}\n", "findings")]
    [InlineData("schemaVersion: 1\nfindings: [\n", "document")]
    public void DocumentLevelProblemsThrow(string yaml, string path)
    {
        var e = Assert.Throws<FindingFormatException>(() => FindingDocument.Deserialize(yaml));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void RefusesObjectsOutsideTheSet() =>
        Assert.Throws<ArgumentException>(() => FindingDocument.Serialize(new object[] { "text" }));

    [Fact]
    public void EveryModelTypeIsInTheClosedSet()
    {
        // A new record type in Model/ must be added to the set (and the schema doc) on purpose.
        var records = typeof(LogRecord).Assembly.GetTypes().Where(t => t.Namespace == "NginxUpstream.Model" && t.IsSubclassOf(typeof(LogRecord)));
        foreach (var t in records) Assert.NotNull(FindingTypes.Resolve(t.Name));
        Assert.Equal(typeof(ResetDiagnosis), FindingTypes.Resolve("ResetDiagnosis"));
    }
}
