using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace NginxUpstream.HelpCompiler;

/// <summary>
/// Reads one PlatyPS cmdlet markdown file, current schema (2024-05-01) or v1 (schema 2.0.0),
/// into a <see cref="CommandHelp"/>, validating the structure the schema prescribes. Line-based:
/// headers inside code fences are text, and every problem is reported with its line.
/// </summary>
public sealed partial class MarkdownHelpReader
{
    private static readonly string[] SectionOrder =
        { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

    private static readonly string[] V2FrontMatterKeys =
        { "external help file", "Locale", "Module Name", "ms.date", "HelpUri", "PlatyPS schema version", "title" };

    private static readonly HashSet<string> V2ParameterKeys = new(StringComparer.Ordinal)
        { "Type", "DefaultValue", "SupportsWildcards", "ParameterValue", "Aliases", "ParameterSets", "DontShow", "AcceptedValues", "HelpMessage" };

    private static readonly HashSet<string> V1ParameterKeys = new(StringComparer.Ordinal)
        { "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters", "Applicable" };

    [GeneratedRegex(@"^(#{1,3})\s+(.*?)\s*#*\s*$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\s*(```+|~~~+)\s*([\w+-]*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"\[([^\]]*)\]\(([^)]*)\)")]
    private static partial Regex Link();

    public List<HelpDiagnostic> Diagnostics { get; } = new();

    private string _file = "";

    /// <summary>Front matter of a markdown file (empty when none).</summary>
    public static Dictionary<string, string> ReadFrontMatter(string[] lines, out int bodyStart)
    {
        var fm = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        bodyStart = 0;
        if (lines.Length == 0 || lines[0].Trim() != "---") return fm;
        var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
        if (end < 0) return fm;
        foreach (var l in lines[1..end])
        {
            var i = l.IndexOf(':');
            if (i <= 0) continue;
            fm[l[..i].Trim()] = l[(i + 1)..].Trim().Trim('\'', '"');
        }
        bodyStart = end + 1;
        return fm;
    }

    /// <summary>A block of the document: a header and the lines under it up to the next header of any level.</summary>
    private sealed record Block(int Level, string Title, int Line, List<(int Line, string Text)> Body);

    public CommandHelp? Read(string path)
    {
        _file = path;
        var lines = File.ReadAllLines(path);
        var fm = ReadFrontMatter(lines, out var bodyStart);
        var v2 = fm.ContainsKey("PlatyPS schema version");
        var v1 = fm.TryGetValue("schema", out var schema) && schema == "2.0.0";
        if (!v2 && !v1)
        {
            Error(1, "front matter must name the schema: 'PlatyPS schema version: 2024-05-01' (current) or 'schema: 2.0.0' (v1).");
            return null;
        }
        if (v2)
            foreach (var k in V2FrontMatterKeys.Where(k => !fm.ContainsKey(k)))
                Error(1, $"front matter lacks '{k}'.");

        var blocks = SplitBlocks(lines, bodyStart);
        var h1 = blocks.Where(b => b.Level == 1).ToList();
        if (h1.Count != 1) { Error(bodyStart + 1, $"expected exactly one '# <Command-Name>' header, found {h1.Count}."); return null; }
        var help = new CommandHelp { Name = h1[0].Title, SourceFile = path };
        var online = fm.GetValueOrDefault(v2 ? "HelpUri" : "online version");
        if (!string.IsNullOrWhiteSpace(online)) help.OnlineUri = online;

        // H2 sections with their H3 children.
        var sections = new List<(Block Head, List<Block> Children)>();
        foreach (var b in blocks.Where(b => b.Level >= 2))
        {
            if (b.Level == 2) sections.Add((b, new List<Block>()));
            else if (sections.Count > 0) sections[^1].Children.Add(b);
            else Error(b.Line, $"'### {b.Title}' stands outside any '##' section.");
        }
        ValidateOrder(sections.Select(s => s.Head).ToList(), strictOrder: v2, h1[0].Line);

        foreach (var (head, children) in sections)
        {
            switch (head.Title.ToUpperInvariant())
            {
                case "SYNOPSIS": help.Synopsis.AddRange(Paragraphs(head.Body)); break;
                case "DESCRIPTION": help.Description.AddRange(Paragraphs(head.Body)); break;
                case "EXAMPLES": foreach (var c in children) help.Examples.Add(ReadExample(c)); break;
                case "PARAMETERS":
                    foreach (var c in children)
                    {
                        if (c.Title == "CommonParameters") { help.HasCommonParameters = true; continue; }
                        if (c.Title == "WorkflowCommonParameters") continue;
                        if (!c.Title.StartsWith('-')) { Error(c.Line, $"parameter header must be '### -Name', found '### {c.Title}'."); continue; }
                        var p = ReadParameter(c);
                        if (p is not null) help.Parameters.Add(p);
                    }
                    break;
                case "INPUTS": help.Inputs.AddRange(children.Select(ReadType)); break;
                case "OUTPUTS": help.Outputs.AddRange(children.Select(ReadType)); break;
                case "NOTES": help.Notes.AddRange(Paragraphs(head.Body.Concat(children.SelectMany(c => c.Body)).ToList())); break;
                case "RELATED LINKS":
                    foreach (var (_, text) in head.Body)
                        foreach (Match m in Link().Matches(text)) help.Links.Add((m.Groups[1].Value, m.Groups[2].Value));
                    break;
            }
        }
        if (help.Synopsis.Count == 0) Error(h1[0].Line, "SYNOPSIS is empty.");
        return help;
    }

    private void ValidateOrder(List<Block> heads, bool strictOrder, int h1Line)
    {
        var titles = heads.Select(h => h.Title.ToUpperInvariant()).ToList();
        foreach (var required in SectionOrder.Where(s => !titles.Contains(s)))
            Error(h1Line, $"missing section '## {required}'.");
        if (!strictOrder) return;
        var present = titles.Where(t => SectionOrder.Contains(t)).ToList();
        var expected = SectionOrder.Where(present.Contains).ToList();
        for (var i = 0; i < present.Count; i++)
            if (present[i] != expected[i])
            {
                Error(heads.First(h => h.Title.ToUpperInvariant() == present[i]).Line,
                    $"section '## {present[i]}' is out of order; the order is {string.Join(", ", SectionOrder)}.");
                break;
            }
    }

    private List<Block> SplitBlocks(string[] lines, int start)
    {
        var blocks = new List<Block>();
        var inFence = false;
        string? fenceMark = null;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            var f = Fence().Match(line);
            if (f.Success)
            {
                if (!inFence) { inFence = true; fenceMark = f.Groups[1].Value; }
                else if (line.Trim().StartsWith(fenceMark!) && line.Trim().Trim(fenceMark![0]).Length == 0) inFence = false;
            }
            var h = inFence || f.Success ? Match.Empty : Header().Match(line);
            if (h.Success)
                blocks.Add(new Block(h.Groups[1].Length, h.Groups[2].Value, i + 1, new()));
            else if (blocks.Count > 0)
                blocks[^1].Body.Add((i + 1, line));
        }
        if (inFence) Error(lines.Length, "a code fence is never closed.");
        return blocks;
    }

    /// <summary>
    /// Paragraphs of markdown text: blank lines separate them, each list item is one, and a code
    /// fence becomes one verbatim paragraph.
    /// </summary>
    public static List<string> Paragraphs(IReadOnlyList<(int Line, string Text)> body)
    {
        var result = new List<string>();
        var current = new List<string>();
        void Flush()
        {
            if (current.Count > 0) result.Add(string.Join(" ", current.Select(c => c.Trim())));
            current.Clear();
        }
        for (var i = 0; i < body.Count; i++)
        {
            var text = body[i].Text;
            var f = Fence().Match(text);
            if (f.Success)
            {
                Flush();
                var code = new List<string>();
                for (i++; i < body.Count && !Fence().IsMatch(body[i].Text); i++) code.Add(body[i].Text);
                result.Add(string.Join("\n", code));
                continue;
            }
            if (string.IsNullOrWhiteSpace(text)) { Flush(); continue; }
            var t = text.TrimStart();
            if (t.StartsWith("- ") || t.StartsWith("* ") || Regex.IsMatch(t, @"^\d+\.\s")) Flush();
            current.Add(text);
        }
        Flush();
        return result;
    }

    private static readonly HashSet<string> CodeFenceLanguages = new(StringComparer.OrdinalIgnoreCase)
        { "powershell", "pwsh", "ps", "ps1", "posh", "sh", "bash", "shell" };

    private ExampleHelp ReadExample(Block b)
    {
        // The title stays as written ("Example 1: ..."): Get-Help shows it verbatim in both schemas.
        var ex = new ExampleHelp { Title = b.Title };
        var seenCode = false;
        var textBuf = new List<(int, string)>();
        for (var i = 0; i < b.Body.Count; i++)
        {
            var f = Fence().Match(b.Body[i].Text);
            if (!f.Success) { textBuf.Add(b.Body[i]); continue; }
            var lang = f.Groups[2].Value;
            var code = new List<string>();
            for (i++; i < b.Body.Count && !Fence().IsMatch(b.Body[i].Text); i++) code.Add(b.Body[i].Text);
            if (CodeFenceLanguages.Contains(lang) && (!seenCode || Paragraphs(textBuf).Count == 0))
            {
                (seenCode ? ex.Remarks : ex.Introduction).AddRange(Paragraphs(textBuf));
                textBuf.Clear();
                ex.Code.Add(string.Join("\n", code));
                seenCode = true;
            }
            else
            {
                // Output and other fences are shown verbatim among the remarks.
                (seenCode ? ex.Remarks : ex.Introduction).AddRange(Paragraphs(textBuf));
                textBuf.Clear();
                (seenCode ? ex.Remarks : ex.Introduction).Add(string.Join("\n", code));
            }
        }
        (seenCode ? ex.Remarks : ex.Introduction).AddRange(Paragraphs(textBuf));
        if (ex.Code.Count == 0) Error(b.Line, $"example '{b.Title}' has no ```powershell code block.");
        return ex;
    }

    private TypeHelp ReadType(Block b)
    {
        var t = new TypeHelp { Type = b.Title };
        t.Description.AddRange(Paragraphs(b.Body));
        return t;
    }

    private ParameterHelp? ReadParameter(Block b)
    {
        var p = new ParameterHelp { Name = b.Title[1..].Trim() };
        var descr = new List<(int, string)>();
        var yamlBlocks = new List<(int Line, string Text)>();
        for (var i = 0; i < b.Body.Count; i++)
        {
            var f = Fence().Match(b.Body[i].Text);
            if (f.Success && f.Groups[2].Value.Equals("yaml", StringComparison.OrdinalIgnoreCase))
            {
                var start = b.Body[i].Line;
                var y = new List<string>();
                for (i++; i < b.Body.Count && !Fence().IsMatch(b.Body[i].Text); i++) y.Add(b.Body[i].Text);
                yamlBlocks.Add((start, string.Join("\n", y)));
                continue;
            }
            if (yamlBlocks.Count == 0) descr.Add(b.Body[i]);
        }
        p.Description.AddRange(Paragraphs(descr));
        if (yamlBlocks.Count == 0) { Error(b.Line, $"parameter -{p.Name} has no ```yaml metadata block."); return null; }
        for (var k = 0; k < yamlBlocks.Count; k++)
        {
            var (line, text) = yamlBlocks[k];
            YamlMappingNode map;
            try
            {
                var ys = new YamlStream();
                ys.Load(new StringReader(text));
                map = (YamlMappingNode)ys.Documents[0].RootNode;
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidCastException or ArgumentOutOfRangeException)
            {
                Error(line, $"parameter -{p.Name}: invalid yaml: {e.Message}");
                return null;
            }
            var keys = map.Children.Keys.Select(n => ((YamlScalarNode)n).Value ?? "").ToList();
            if (keys.Contains("ParameterSets")) ReadV2Parameter(p, map, keys, line);
            else ReadV1Parameter(p, map, keys, line, first: k == 0);
        }
        return p;
    }

    private static string Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var n) && n is YamlScalarNode s ? s.Value ?? "" : "";

    private static List<string> List(YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var n)) return new();
        return n switch
        {
            YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0).ToList(),
            YamlScalarNode s => (s.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
            _ => new(),
        };
    }

    private static bool Bool(string v) => v.Equals("true", StringComparison.OrdinalIgnoreCase);

    private void ReadV2Parameter(ParameterHelp p, YamlMappingNode map, List<string> keys, int line)
    {
        foreach (var k in keys.Where(k => !V2ParameterKeys.Contains(k)))
            Error(line, $"parameter -{p.Name}: unknown key '{k}'.");
        p.Type = Scalar(map, "Type") is { Length: > 0 } t ? t : p.Type;
        p.DefaultValue = Scalar(map, "DefaultValue") is { Length: > 0 } d ? d : "None";
        p.Globbing = Bool(Scalar(map, "SupportsWildcards"));
        p.Aliases.AddRange(List(map, "Aliases"));
        p.AcceptedValues.AddRange(List(map, "AcceptedValues"));
        if (map.Children[new YamlScalarNode("ParameterSets")] is YamlSequenceNode sets)
            foreach (var s in sets.Children.OfType<YamlMappingNode>())
                p.Sets.Add(new ParameterSetHelp
                {
                    Name = Scalar(s, "Name") is { Length: > 0 } n ? n : "(All)",
                    Position = Scalar(s, "Position") is { Length: > 0 } pos ? pos : "Named",
                    Required = Bool(Scalar(s, "IsRequired")),
                    ByValue = Bool(Scalar(s, "ValueFromPipeline")),
                    ByPropertyName = Bool(Scalar(s, "ValueFromPipelineByPropertyName")),
                });
        if (p.Sets.Count == 0) Error(line, $"parameter -{p.Name}: ParameterSets is empty.");
    }

    private void ReadV1Parameter(ParameterHelp p, YamlMappingNode map, List<string> keys, int line, bool first)
    {
        foreach (var k in keys.Where(k => !V1ParameterKeys.Contains(k)))
            Error(line, $"parameter -{p.Name}: invalid yaml: unknown key '{k}'.");
        if (first)
        {
            p.Type = Scalar(map, "Type") is { Length: > 0 } t ? t : p.Type;
            p.DefaultValue = Scalar(map, "Default value") is { Length: > 0 } d ? d : "None";
            p.Globbing = Bool(Scalar(map, "Accept wildcard characters"));
            p.Aliases.AddRange(List(map, "Aliases"));
            p.AcceptedValues.AddRange(List(map, "Accepted values"));
        }
        var pipeline = Scalar(map, "Accept pipeline input");
        foreach (var set in List(map, "Parameter Sets").DefaultIfEmpty("(All)"))
            p.Sets.Add(new ParameterSetHelp
            {
                Name = set,
                Position = Scalar(map, "Position") is { Length: > 0 } pos ? pos : "Named",
                Required = Bool(Scalar(map, "Required")),
                ByValue = pipeline.Contains("ByValue", StringComparison.OrdinalIgnoreCase),
                ByPropertyName = pipeline.Contains("ByPropertyName", StringComparison.OrdinalIgnoreCase),
            });
    }

    private void Error(int line, string message) => Diagnostics.Add(new HelpDiagnostic(_file, line, message));
}
