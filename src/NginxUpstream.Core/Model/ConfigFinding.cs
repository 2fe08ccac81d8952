namespace NginxUpstream.Model;

public enum FindingSeverity { Info, Warning, Error }

/// <summary>A configuration lint finding (owned by the config engine, issue 4).</summary>
public sealed class ConfigFinding
{
    /// <summary>Stable rule id, e.g. KA-IDLE.</summary>
    public string RuleId { get; init; } = "";
    public FindingSeverity Severity { get; init; }
    public string Title { get; init; } = "";
    /// <summary>Why, in one paragraph.</summary>
    public string Detail { get; init; } = "";
    public string? File { get; init; }
    public int Line { get; init; }
    /// <summary>Context path, e.g. "http > upstream app".</summary>
    public string? Context { get; init; }
    /// <summary>The upstream block the finding concerns, when one.</summary>
    public string? Upstream { get; init; }
    /// <summary>The exact directives to set.</summary>
    public string? Fix { get; init; }
    /// <summary>file:line of every directive involved.</summary>
    public IReadOnlyList<string> Involved { get; init; } = Array.Empty<string>();
    /// <summary>Context paths of the locations that proxy to the upstream.</summary>
    public IReadOnlyList<string> UsedBy { get; init; } = Array.Empty<string>();

    /// <summary>Which nginx versions the finding applies to ("nginx 1.24.0", "nginx < 1.29.7", "all versions"...).</summary>
    public string AppliesTo { get; init; } = "";

    public override string ToString() => $"{File}:{Line}: [{RuleId}] {Severity} {Title}";
}
