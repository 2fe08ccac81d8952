using System.Text;
using System.Text.RegularExpressions;

namespace NginxUpstream.HelpCompiler;

/// <summary>
/// Renders a PlatyPS about-topic markdown file (docs/help/about_*.md) as the plain text
/// Get-Help shows: section headers in capitals at the margin, prose wrapped at 80 columns and
/// indented 4, code kept verbatim and indented 8.
/// </summary>
public static partial class AboutTopicWriter
{
    [GeneratedRegex(@"^(#{1,3})\s+(.*)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Link();

    public static string Render(string[] lines)
    {
        MarkdownHelpReader.ReadFrontMatter(lines, out var start);
        var sb = new StringBuilder();
        var para = new List<string>();
        void Flush()
        {
            if (para.Count == 0) return;
            var text = Inline(string.Join(" ", para.Select(p => p.Trim())));
            var bullet = text.StartsWith("- ") || text.StartsWith("* ");
            Wrap(sb, bullet ? "- " + text[2..] : text, bullet ? "    " : "    ", bullet ? "      " : "    ");
            sb.Append('\n');
            para.Clear();
        }
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```"))
            {
                Flush();
                for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```"); i++)
                    sb.Append(lines[i].Length == 0 ? "" : "        " + lines[i]).Append('\n');
                sb.Append('\n');
                continue;
            }
            var h = Header().Match(line);
            if (h.Success)
            {
                Flush();
                var title = h.Groups[2].Value.Trim();
                // "## about_X" names the topic and keeps its case; section titles are capitals.
                sb.Append(title.StartsWith("about_", StringComparison.Ordinal) ? "    " + title : title.ToUpperInvariant()).Append("\n\n");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) { Flush(); continue; }
            var t = line.TrimStart();
            if (t.StartsWith("- ") || t.StartsWith("* ") || t.StartsWith('|')) Flush();
            if (t.StartsWith('|')) { sb.Append("    ").Append(Inline(t)).Append('\n'); continue; }
            para.Add(line);
        }
        Flush();
        return sb.ToString().TrimEnd() + "\n";
    }

    private static string Inline(string s) => Link().Replace(s, "$1").Replace("`", "").Replace("**", "");

    private static void Wrap(StringBuilder sb, string text, string firstIndent, string indent)
    {
        var line = new StringBuilder(firstIndent);
        var lineHasWord = false;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineHasWord && line.Length + 1 + word.Length > 80)
            {
                sb.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
                lineHasWord = false;
            }
            if (lineHasWord) line.Append(' ');
            line.Append(word);
            lineHasWord = true;
        }
        if (lineHasWord) sb.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
