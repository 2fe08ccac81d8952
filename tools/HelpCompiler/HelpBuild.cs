namespace NginxUpstream.HelpCompiler;

/// <summary>Compiles a docs/help folder: cmdlet pages to one MAML file, about topics to text.</summary>
public static class HelpBuild
{
    public sealed record Result(int Commands, int AboutTopics, List<HelpDiagnostic> Diagnostics);

    public static Result Compile(string sourceDir, string outDir, string mamlName)
    {
        var diagnostics = new List<HelpDiagnostic>();
        var commands = new List<CommandHelp>();
        var abouts = 0;
        foreach (var file in Directory.EnumerateFiles(sourceDir, "*.md").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var lines = File.ReadAllLines(file);
            if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                File.WriteAllText(Path.Combine(outDir, name + ".help.txt"), AboutTopicWriter.Render(lines));
                abouts++;
                continue;
            }
            var fm = MarkdownHelpReader.ReadFrontMatter(lines, out _);
            var isCmdlet = fm.TryGetValue("document type", out var type) ? type.Equals("cmdlet", StringComparison.OrdinalIgnoreCase)
                : fm.ContainsKey("external help file");
            if (!isCmdlet) continue; // module page and other docs
            var reader = new MarkdownHelpReader();
            var help = reader.Read(file);
            diagnostics.AddRange(reader.Diagnostics);
            if (help is null) continue;
            if (!string.Equals(help.Name, name, StringComparison.Ordinal))
                diagnostics.Add(new HelpDiagnostic(file, 1, $"the H1 '{help.Name}' does not match the file name '{name}'."));
            commands.Add(help);
        }
        MamlWriter.Write(commands).Save(Path.Combine(outDir, mamlName));
        return new Result(commands.Count, abouts, diagnostics);
    }
}
