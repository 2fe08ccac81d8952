using System.Xml.Linq;

namespace NginxUpstream.HelpCompiler;

/// <summary>
/// Writes MAML command help (what Get-Help reads from en-US/&lt;Assembly&gt;.dll-Help.xml) in the
/// element order PowerShell's own help files use. Syntax items are rebuilt from the parameter
/// metadata, one per parameter set, as PlatyPS does.
/// </summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.OrderBy(c => c.Name, StringComparer.Ordinal).Select(CommandElement)));

    private static XElement CommandElement(CommandHelp c)
    {
        var dash = c.Name.IndexOf('-');
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", c.Name),
                new XElement(Command + "verb", dash > 0 ? c.Name[..dash] : c.Name),
                new XElement(Command + "noun", dash > 0 ? c.Name[(dash + 1)..] : ""),
                Description(c.Synopsis)),
            Description(c.Description),
            new XElement(Command + "syntax", SyntaxItems(c)),
            new XElement(Command + "parameters", c.Parameters.Select(p => Parameter(p, null, withDescription: true))),
            new XElement(Command + "inputTypes", c.Inputs.Select(t => new XElement(Command + "inputType", TypeElement(t.Type), Description(t.Description)))),
            new XElement(Command + "returnValues", c.Outputs.Select(t => new XElement(Command + "returnValue", TypeElement(t.Type), Description(t.Description)))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(c.Notes))),
            new XElement(Command + "examples", c.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(c)));
    }

    private static IEnumerable<XElement> SyntaxItems(CommandHelp c)
    {
        var named = c.Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(n => n != "(All)").Distinct().ToList();
        if (named.Count == 0) named.Add("(All)");
        foreach (var set in named)
        {
            var members = c.Parameters
                .Select(p => (p, s: p.Sets.FirstOrDefault(s => s.Name == set) ?? p.Sets.FirstOrDefault(s => s.Name == "(All)")))
                .Where(x => x.s is not null)
                .OrderBy(x => int.TryParse(x.s!.Position, out var n) ? n : int.MaxValue)
                .ThenBy(x => x.s!.Required ? 0 : 1);
            yield return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", c.Name),
                members.Select(x => Parameter(x.p, x.s, withDescription: false)));
        }
    }

    private static XElement Parameter(ParameterHelp p, ParameterSetHelp? set, bool withDescription)
    {
        // In <command:parameters> a parameter is required when it is mandatory in any set.
        var required = set?.Required ?? p.Sets.Any(s => s.Required);
        var position = set?.Position ?? p.Sets.Select(s => s.Position).FirstOrDefault(x => x != "Named") ?? "Named";
        var pipeline = set?.PipelineInput ?? new ParameterSetHelp
        {
            ByValue = p.Sets.Any(s => s.ByValue),
            ByPropertyName = p.Sets.Any(s => s.ByPropertyName),
        }.PipelineInput;
        return new XElement(Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", p.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : position),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            withDescription ? Description(p.Description) : null,
            p.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", p.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v)))
                : null,
            // A switch has no value: emitting one would make help show "-Force <SwitchParameter>".
            p.IsSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), ShortType(p.Type)),
            TypeElement(p.Type),
            withDescription ? new XElement(Dev + "defaultValue", p.DefaultValue) : null);
    }

    private static string ShortType(string t) => t.StartsWith("System.", StringComparison.Ordinal) && !t.Contains("Management") ? t[7..] : t.Split('.')[^1];

    private static XElement TypeElement(string type) => new(Dev + "type", new XElement(Maml + "name", type));

    private static XElement Description(IEnumerable<string> paras) => new(Maml + "description", Paras(paras));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paras) => paras.Select(p => new XElement(Maml + "para", p));

    private static XElement Example(ExampleHelp e) =>
        new(Command + "example",
            new XElement(Maml + "title", $"--------- {e.Title} ---------"),
            e.Introduction.Count > 0 ? new XElement(Maml + "introduction", Paras(e.Introduction)) : null,
            new XElement(Dev + "code", string.Join("\n\n", e.Code)),
            new XElement(Dev + "remarks", Paras(e.Remarks)));

    private static IEnumerable<XElement> Links(CommandHelp c)
    {
        if (c.OnlineUri is not null)
            yield return NavigationLink("Online Version:", c.OnlineUri);
        foreach (var (text, uri) in c.Links)
            yield return NavigationLink(text, uri);
    }

    private static XElement NavigationLink(string text, string uri) =>
        new(Maml + "navigationLink",
            new XElement(Maml + "linkText", text),
            new XElement(Maml + "uri", Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : ""));
}
