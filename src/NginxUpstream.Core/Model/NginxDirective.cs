using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Model;

/// <summary>One directive of an nginx configuration, with its block (owned by the config engine, issue 4).</summary>
public sealed class NginxDirective
{
    public string Name { get; init; } = "";
    /// <summary>Argument values as nginx sees them (quotes removed, \" \' \\ \t \r \n unescaped).</summary>
    public IReadOnlyList<string> Args { get; init; } = Array.Empty<string>();
    public string File { get; init; } = "";
    /// <summary>Line of the directive's first word (crossplane's "line").</summary>
    public int Line { get; init; }
    /// <summary>Line of the terminating ';' or '{' (where nginx reports errors about it).</summary>
    public int EndLine { get; init; }
    /// <summary>
    /// Children of a block directive; null for a simple directive. Directives of included files
    /// follow their `include` directive here (include is textual), each with its own File.
    /// </summary>
    public IReadOnlyList<NginxDirective>? Block { get; init; }
    /// <summary>Where it stands, e.g. "http > server example.com > location /api".</summary>
    public string Context { get; init; } = "";
    /// <summary>For `include`: the files it read, in the order nginx read them.</summary>
    public IReadOnlyList<string> Includes { get; init; } = Array.Empty<string>();
    /// <summary>For a comment (Name "#", only when comments were requested): the text after '#'.</summary>
    public string? Comment { get; init; }

    /// <summary>The words with their raw source text and quoting.</summary>
    internal IReadOnlyList<NginxWord> Words { get; init; } = Array.Empty<NginxWord>();
    /// <summary>The enclosing block directive (null at top level).</summary>
    internal NginxDirective? Parent { get; set; }
    /// <summary>True when this directive came from a file included into its parent's block.</summary>
    internal bool IsBlock => Block is not null;

    public override string ToString() => $"{File}:{Line}: {Name} {string.Join(' ', Args)}";
}
