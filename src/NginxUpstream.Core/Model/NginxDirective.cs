using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Model;

/// <summary>One directive of an nginx configuration, with its block (owned by the config engine, issue 4).</summary>
public sealed class NginxDirective
{
    private IReadOnlyList<NginxDirective>? _block;
    private IReadOnlyList<string> _includes = Array.Empty<string>();
    private string? _context;
    // Block directives only: the label the parser fixed (server blocks), and the context of the children.
    private string? _label;
    private string? _childContext;

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
    public IReadOnlyList<NginxDirective>? Block { get => _block; init => _block = value; }
    /// <summary>Where it stands, e.g. "http > server example.com > location /api".</summary>
    /// <remarks>Unless given, built from the enclosing blocks on first use (one string per block, shared by its children).</remarks>
    public string Context { get => _context ??= Parent?.ChildContext ?? ""; init => _context = value; }
    /// <summary>For `include`: the files it read, in the order nginx read them.</summary>
    public IReadOnlyList<string> Includes { get => _includes; init => _includes = value; }
    /// <summary>For a comment (Name "#", only when comments were requested): the text after '#'.</summary>
    public string? Comment { get; init; }

    /// <summary>The words with their raw source text and quoting.</summary>
    internal IReadOnlyList<NginxWord> Words { get; init; } = Array.Empty<NginxWord>();
    /// <summary>The enclosing block directive (null at top level).</summary>
    internal NginxDirective? Parent { get; set; }
    /// <summary>True when this directive came from a file included into its parent's block.</summary>
    internal bool IsBlock => Block is not null;

    // The parser creates a directive when it meets it and completes it once its body / includes are read.
    internal void SetBlock(IReadOnlyList<NginxDirective> block) => _block = block;
    internal void SetIncludes(IReadOnlyList<string> includes) => _includes = includes;
    internal void SetLabel(string label) => _label = label;

    /// <summary>"server example.com", "location /api", "upstream app", "if ($x)": this block's step in its children's Context.</summary>
    private string Label
    {
        get
        {
            if (_label is not null) return _label;
            if (Words.Count <= 1) return Name;
            var parts = new string[Words.Count - 1];
            for (int i = 1; i < Words.Count; i++) parts[i - 1] = Words[i].Value;
            return Name + " " + string.Join(' ', parts);
        }
    }

    private string ChildContext
    {
        get
        {
            if (_childContext is not null) return _childContext;
            var context = Context;
            return _childContext = context.Length == 0 ? Label : context + " > " + Label;
        }
    }

    public override string ToString() => $"{File}:{Line}: {Name} {string.Join(' ', Args)}";
}
