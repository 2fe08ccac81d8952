namespace NginxUpstream.HelpCompiler;

/// <summary>One cmdlet's help, as read from PlatyPS markdown.</summary>
public sealed class CommandHelp
{
    public string Name { get; set; } = "";
    public string SourceFile { get; set; } = "";
    public string? OnlineUri { get; set; }
    public List<string> Synopsis { get; } = new();
    public List<string> Description { get; } = new();
    public List<ExampleHelp> Examples { get; } = new();
    public List<ParameterHelp> Parameters { get; } = new();
    public bool HasCommonParameters { get; set; }
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<(string Text, string Uri)> Links { get; } = new();
}

public sealed class ExampleHelp
{
    public string Title { get; set; } = "";
    public List<string> Introduction { get; } = new();
    public List<string> Code { get; } = new();
    public List<string> Remarks { get; } = new();
}

public sealed class ParameterHelp
{
    public string Name { get; set; } = "";
    public List<string> Description { get; } = new();
    public string Type { get; set; } = "System.Object";
    public string DefaultValue { get; set; } = "None";
    public bool Globbing { get; set; }
    public List<string> Aliases { get; } = new();
    public List<string> AcceptedValues { get; } = new();
    public List<ParameterSetHelp> Sets { get; } = new();

    public bool IsSwitch => Type.EndsWith("SwitchParameter", StringComparison.OrdinalIgnoreCase);
}

public sealed class ParameterSetHelp
{
    public string Name { get; set; } = "(All)";
    public string Position { get; set; } = "Named";
    public bool Required { get; set; }
    public bool ByValue { get; set; }
    public bool ByPropertyName { get; set; }

    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

public sealed class TypeHelp
{
    public string Type { get; set; } = "";
    public List<string> Description { get; } = new();
}

/// <summary>A problem in a help file, reported as file:line.</summary>
public sealed record HelpDiagnostic(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
