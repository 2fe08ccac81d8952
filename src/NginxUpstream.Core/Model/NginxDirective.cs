using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Model;

/// <summary>One directive of an nginx configuration, with its block (owned by the config engine, issue 4).</summary>
/// <remarks>
/// A 10 MB config holds ~300k of these and all of them survive the parse, so the object is kept
/// small: rarely used values (a given Context, Includes, Comment, a block's label and its
/// children's context) live in a side object; the words of a plain statement (no quotes, no
/// escapes, one line) are not stored twice but rebuilt from Name and Args when asked for, and
/// those of other one-line statements are shared by all identical statements (the parser also
/// shares one Args array between them).
/// </remarks>
public sealed class NginxDirective
{
    private IReadOnlyList<NginxDirective>? _block;
    // null: a plain statement whose words are Name + Args on Line; SingleLineWords: shared words
    // without their line; else the IReadOnlyList<NginxWord> itself.
    private object? _words = Array.Empty<NginxWord>();
    private Rare? _rare;

    private sealed class Rare
    {
        public string? Context;
        public IReadOnlyList<string>? Includes;
        public string? Comment;
        public string? Label;
        // Block directives: the Context of the children, built on first use.
        public string? ChildContext;
    }

    private Rare RareValues => _rare ?? Interlocked.CompareExchange(ref _rare, new Rare(), null) ?? _rare;

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
    /// <remarks>Unless given, built from the enclosing blocks (one string per block, shared by its children).</remarks>
    public string Context { get => _rare?.Context ?? Parent?.ChildContext ?? ""; init => RareValues.Context = value; }
    /// <summary>For `include`: the files it read, in the order nginx read them.</summary>
    public IReadOnlyList<string> Includes { get => _rare?.Includes ?? Array.Empty<string>(); init => RareValues.Includes = value; }
    /// <summary>For a comment (Name "#", only when comments were requested): the text after '#'.</summary>
    public string? Comment { get => _rare?.Comment; init => RareValues.Comment = value; }

    /// <summary>The words with their raw source text and quoting.</summary>
    internal IReadOnlyList<NginxWord> Words
    {
        get => _words switch
        {
            null => PlainWords(),
            SingleLineWords s => s.At(Line),
            var w => (IReadOnlyList<NginxWord>)w,
        };
        init => _words = value;
    }

    /// <summary>The parser's way to set the words: null (plain: Name + Args), shared one-line words, or the words themselves.</summary>
    internal object? WordsStorage { init => _words = value; }
    /// <summary>The enclosing block directive (null at top level).</summary>
    internal NginxDirective? Parent { get; set; }
    /// <summary>True when this directive came from a file included into its parent's block.</summary>
    internal bool IsBlock => Block is not null;

    /// <summary>Number of words, the name included (nginx's cf->args->nelts).</summary>
    internal int WordCount => _words switch
    {
        null => Args.Count + 1,
        SingleLineWords s => s.Count,
        var w => ((IReadOnlyList<NginxWord>)w).Count,
    };

    /// <summary>The value of word <paramref name="i"/> (0 is the name).</summary>
    internal string WordValue(int i) => _words switch
    {
        null => i == 0 ? Name : Args[i - 1],
        SingleLineWords s => s.Value(i),
        var w => ((IReadOnlyList<NginxWord>)w)[i].Value,
    };

    // The parser creates a directive when it meets it and completes it once its body / includes are read.
    internal void SetBlock(IReadOnlyList<NginxDirective> block) => _block = block;
    internal void SetIncludes(IReadOnlyList<string> includes) => RareValues.Includes = includes;
    internal void SetLabel(string label) => RareValues.Label = label;

    private NginxWord[] PlainWords()
    {
        var w = new NginxWord[Args.Count + 1];
        w[0] = new NginxWord(Name, Name, '\0', Line);
        for (int i = 0; i < Args.Count; i++) w[i + 1] = new NginxWord(Args[i], Args[i], '\0', Line);
        return w;
    }

    /// <summary>"server example.com", "location /api", "upstream app", "if ($x)": this block's step in its children's Context.</summary>
    private string Label
    {
        get
        {
            if (_rare?.Label is { } label) return label;
            var n = WordCount;
            if (n <= 1) return Name;
            var parts = new string[n - 1];
            for (int i = 1; i < n; i++) parts[i - 1] = WordValue(i);
            return Name + " " + string.Join(' ', parts);
        }
    }

    private string ChildContext
    {
        get
        {
            if (_rare?.ChildContext is { } cached) return cached;
            var context = Context;
            return RareValues.ChildContext = context.Length == 0 ? Label : context + " > " + Label;
        }
    }

    public override string ToString() => $"{File}:{Line}: {Name} {string.Join(' ', Args)}";
}
