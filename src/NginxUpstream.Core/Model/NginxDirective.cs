namespace NginxUpstream.Model;

/// <summary>One directive of an nginx configuration, with its block (owned by the config engine, issue 4).</summary>
public sealed class NginxDirective
{
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Args { get; init; } = Array.Empty<string>();
    public string File { get; init; } = "";
    public int Line { get; init; }
    /// <summary>Children of a block directive; null for a simple directive.</summary>
    public IReadOnlyList<NginxDirective>? Block { get; init; }
    /// <summary>Where it stands, e.g. "http > server example.com > location /api".</summary>
    public string Context { get; init; } = "";

    public override string ToString() => $"{File}:{Line}: {Name} {string.Join(' ', Args)}";
}
