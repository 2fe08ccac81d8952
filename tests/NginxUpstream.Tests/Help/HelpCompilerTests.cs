using System.Xml.Linq;
using NginxUpstream.HelpCompiler;
using Xunit;

namespace NginxUpstream.Tests.Help;

public class HelpCompilerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nu-help").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private const string V2 = """
        ---
        document type: cmdlet
        external help file: NginxUpstream.dll-Help.xml
        HelpUri: https://example.invalid/Get-Thing
        Locale: en-US
        Module Name: NginxUpstream
        ms.date: 11/27/2026
        PlatyPS schema version: 2024-05-01
        title: Get-Thing
        ---

        # Get-Thing

        ## SYNOPSIS

        Gets things.

        ## SYNTAX

        ### Path (Default)

        ```
        Get-Thing [-Path] <string[]> [-Force]
        ```

        ## ALIASES

        ## DESCRIPTION

        First paragraph
        continues here.

        - an item
        - another item

        ## EXAMPLES

        ### Example 1: Read a thing

        ```powershell
        Get-Thing -Path ./x # ## not a header
        ```

        ```output
        Name
        ----
        x
        ```

        Reads x.

        ## PARAMETERS

        ### -Path

        The path.

        ```yaml
        Type: System.String[]
        DefaultValue: None
        SupportsWildcards: true
        Aliases:
        - PSPath
        - LP
        ParameterSets:
        - Name: Path
          Position: 0
          IsRequired: true
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: true
          ValueFromRemainingArguments: false
        - Name: Other
          Position: Named
          IsRequired: false
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: false
          ValueFromRemainingArguments: false
        DontShow: false
        AcceptedValues: []
        HelpMessage: ''
        ```

        ### -Force

        Overwrite.

        ```yaml
        Type: System.Management.Automation.SwitchParameter
        DefaultValue: False
        SupportsWildcards: false
        Aliases: []
        ParameterSets:
        - Name: (All)
          Position: Named
          IsRequired: false
          ValueFromPipeline: false
          ValueFromPipelineByPropertyName: false
          ValueFromRemainingArguments: false
        DontShow: false
        AcceptedValues: []
        HelpMessage: ''
        ```

        ### CommonParameters

        This cmdlet supports the common parameters.

        ## INPUTS

        ### System.String

        Lines.

        ## OUTPUTS

        ### NginxUpstream.Model.Thing

        Things.

        ## NOTES

        A note.

        ## RELATED LINKS

        - [Get-Other](Get-Other.md)
        - [nginx](https://nginx.org/)
        """;

    [Fact]
    public void ReadsTheCurrentSchema()
    {
        var path = Path.Combine(_dir, "Get-Thing.md");
        File.WriteAllText(path, V2);
        var reader = new MarkdownHelpReader();
        var help = reader.Read(path)!;
        Assert.Empty(reader.Diagnostics);
        Assert.Equal("Get-Thing", help.Name);
        Assert.Equal(new[] { "Gets things." }, help.Synopsis);
        Assert.Equal(new[] { "First paragraph continues here.", "- an item", "- another item" }, help.Description);
        var ex = Assert.Single(help.Examples);
        Assert.Equal("Get-Thing -Path ./x # ## not a header", Assert.Single(ex.Code));
        Assert.Contains("Reads x.", ex.Remarks);
        Assert.Contains(ex.Remarks, r => r.Contains("----"));
        var p = help.Parameters[0];
        Assert.Equal(new[] { "PSPath", "LP" }, p.Aliases);
        Assert.Equal(2, p.Sets.Count);
        Assert.True(p.Sets[0].Required);
        Assert.Equal("True (ByPropertyName)", p.Sets[0].PipelineInput);
        Assert.True(help.Parameters[1].IsSwitch);
        Assert.True(help.HasCommonParameters);
        Assert.Equal(2, help.Links.Count);
    }

    [Fact]
    public void WritesMamlThatPowerShellAccepts()
    {
        var src = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        var outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(src, "Get-Thing.md"), V2);
        var r = HelpBuild.Compile(src, outDir, "X.dll-Help.xml");
        Assert.Empty(r.Diagnostics);
        var doc = XDocument.Load(Path.Combine(outDir, "X.dll-Help.xml"));
        Assert.Equal("maml", doc.Root!.Attribute("schema")!.Value);
        XNamespace cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        var items = doc.Descendants(cmd + "syntaxItem").ToList();
        Assert.Equal(2, items.Count); // Path and Other; the (All) switch joins both
        Assert.All(items, i => Assert.Contains(i.Elements(cmd + "parameter"), p => p.Element(maml + "name")!.Value == "Force"));
        var force = doc.Descendants(cmd + "parameters").Single().Elements(cmd + "parameter").Single(p => p.Element(maml + "name")!.Value == "Force");
        Assert.Null(force.Element(cmd + "parameterValue"));
        var path = doc.Descendants(cmd + "parameters").Single().Elements(cmd + "parameter").Single(p => p.Element(maml + "name")!.Value == "Path");
        Assert.Equal("0", path.Attribute("position")!.Value);
        Assert.Equal("PSPath, LP", path.Attribute("aliases")!.Value);
        Assert.Equal("true", path.Attribute("globbing")!.Value);
        var links = doc.Descendants(maml + "navigationLink").ToList();
        Assert.Equal("Online Version:", links[0].Element(maml + "linkText")!.Value);
        Assert.Equal("", links[1].Element(maml + "uri")!.Value); // relative .md link
        Assert.Equal("https://nginx.org/", links[2].Element(maml + "uri")!.Value);
    }

    [Fact]
    public void ReadsTheV1Schema()
    {
        var path = Path.Combine(_dir, "Get-Old.md");
        File.WriteAllText(path, """
            ---
            external help file: NginxUpstream.dll-Help.xml
            Module Name: NginxUpstream
            schema: 2.0.0
            ---

            # Get-Old

            ## SYNOPSIS
            Old style.

            ## SYNTAX

            ```
            Get-Old [-Path] <String[]>
            ```

            ## DESCRIPTION
            Old.

            ## EXAMPLES

            ### Example 1: x
            ```powershell
            Get-Old a
            ```

            It works.

            ## PARAMETERS

            ### -Path
            P.

            ```yaml
            Type: String[]
            Parameter Sets: Path, LiteralPath
            Aliases:

            Required: True
            Position: 0
            Default value: None
            Accept pipeline input: True (ByValue, ByPropertyName)
            Accept wildcard characters: True
            ```

            ## INPUTS

            ## OUTPUTS

            ## NOTES

            ## RELATED LINKS
            [Get-Thing](Get-Thing.md)
            """);
        var reader = new MarkdownHelpReader();
        var help = reader.Read(path)!;
        Assert.Empty(reader.Diagnostics);
        var p = Assert.Single(help.Parameters);
        Assert.Equal(new[] { "Path", "LiteralPath" }, p.Sets.Select(s => s.Name));
        Assert.All(p.Sets, s => Assert.Equal("True (ByValue, ByPropertyName)", s.PipelineInput));
        Assert.True(p.Globbing);
    }

    [Fact]
    public void ReportsStructuralProblemsWithLines()
    {
        var path = Path.Combine(_dir, "Get-Bad.md");
        File.WriteAllText(path, V2.Replace("## NOTES\n\nA note.\n\n", "").Replace("Type: System.String[]\nDefaultValue", "Type: System.String[]\nBogus: 1\nDefaultValue"));
        var reader = new MarkdownHelpReader();
        reader.Read(path);
        Assert.Contains(reader.Diagnostics, d => d.Message.Contains("missing section '## NOTES'"));
        Assert.Contains(reader.Diagnostics, d => d.Message.Contains("unknown key 'Bogus'") && d.Line > 1);
    }

    [Fact]
    public void RendersAboutTopicsAsWrappedText()
    {
        var text = AboutTopicWriter.Render(File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "help", "about_NginxUpstream.md")));
        Assert.StartsWith("TOPIC", text);
        Assert.Contains("    about_NginxUpstream", text);
        Assert.Contains("SHORT DESCRIPTION", text);
        // Prose wraps at 80 columns; code (indented 8) stays verbatim.
        Assert.All(text.Split('\n').Where(l => !l.StartsWith("        ")), l => Assert.True(l.Length <= 80, l));
        Assert.DoesNotContain("```", text);
    }
}
