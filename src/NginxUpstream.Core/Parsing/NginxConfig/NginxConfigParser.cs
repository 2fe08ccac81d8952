using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>Parser switches.</summary>
public sealed class NginxParseOptions
{
    /// <summary>Check names, contexts and argument counts against nginx's directive table (ngx_conf_handler).</summary>
    public bool Validate { get; init; } = true;
    /// <summary>Keep comments as "#" directives (crossplane's comments=True).</summary>
    public bool IncludeComments { get; init; }
    /// <summary>The input is a whole main config: report a missing events section as nginx does.</summary>
    public bool RequireEvents { get; init; } = true;
    /// <summary>The context the top of the main file stands in (Main; HttpServer for a sites-enabled snippet...).</summary>
    public NginxContext StartContext { get; init; } = NginxContext.Main;
    /// <summary>Directory relative includes resolve against; default the main file's directory.</summary>
    public string? ConfPrefix { get; init; }
    /// <summary>When set, directives (or contexts) newer than this version are rejected as that nginx would.</summary>
    public Version? NginxVersion { get; init; }
}

/// <summary>
/// Builds the directive tree the way ngx_conf_parse does: statements and blocks from
/// <see cref="NginxTokenizer"/>, blocks never spanning files, `include` textual and re-read at
/// every site (relative to the main config's directory, globs byte-sorted, no match is fine),
/// include cycles reported instead of recursing. A syntax error stops reading as nginx stops,
/// keeping everything before it; directive-table errors are recorded and reading goes on.
/// </summary>
public sealed class NginxConfigParser
{
    private const int MaxDepth = 500;

    private readonly IConfigFileSource _source;
    private readonly NginxParseOptions _options;
    private readonly List<NginxConfigError> _errors = new();
    private readonly List<NginxConfigFile> _files = new();
    private readonly Dictionary<string, NginxConfigFile> _fileByPath = new(StringComparer.Ordinal);
    private readonly List<string> _includeStack = new();
    private string _prefix = "";
    private bool _aborted;
    private int _depth;
    private List<Node>? _commentSink;

    public NginxConfigParser(IConfigFileSource source, NginxParseOptions? options = null)
    {
        _source = source;
        _options = options ?? new NginxParseOptions();
    }

    /// <summary>Parses the main file <paramref name="mainPath"/> (absolute) and everything it includes.</summary>
    public Model.NginxConfig Parse(string mainPath, string sourceLabel)
    {
        _prefix = _options.ConfPrefix ?? (Path.GetDirectoryName(mainPath) ?? "/");
        var nodes = ParseFile(mainPath, _options.StartContext, null, 0) ?? new List<Node>();
        var top = Freeze(nodes, null, "");
        if (_options.Validate && _options.RequireEvents && _options.StartContext == NginxContext.Main && !_aborted
            && _files.Count > 0 && !HasEvents(nodes))
            _errors.Add(new NginxConfigError("no \"events\" section in configuration", null, 0, NginxConfigErrorKind.Directive));
        return new Model.NginxConfig
        {
            MainFile = mainPath,
            Source = sourceLabel,
            Directives = top,
            Files = _files,
            Errors = _errors,
        };
    }

    private static bool HasEvents(List<Node> nodes) =>
        nodes.Any(n => n.Name == "events" || (n.Inlined is not null && HasEvents(n.Inlined)));

    private sealed class Node
    {
        public NginxWord[] Words = Array.Empty<NginxWord>();
        public string Name => Words.Length > 0 ? Words[0].Value : "#";
        public string File = "";
        public int Line, EndLine;
        public List<Node>? Children;
        // Only include directives have these; most nodes never allocate them.
        public List<string>? Includes;
        public List<Node>? Inlined;
        public string? Comment;
        /// <summary>The directive this node became (set once, by Freeze).</summary>
        public NginxDirective? Frozen;
    }

    private List<Node>? ParseFile(string path, NginxContext ctx, Node? site, int siteLine)
    {
        if (_includeStack.Contains(path, StringComparer.Ordinal))
        {
            var chain = string.Join(" -> ", _includeStack.Skip(_includeStack.IndexOf(path)).Append(path));
            AddError($"include cycle: {chain}", site?.File, siteLine, NginxConfigErrorKind.Include);
            return null;
        }
        byte[] data;
        try { data = _source.Read(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AddError(e.Message, site?.File, siteLine, NginxConfigErrorKind.Include);
            return null;
        }
        if (!_fileByPath.TryGetValue(path, out var entry))
        {
            entry = new NginxConfigFile { Path = path };
            _fileByPath[path] = entry;
            _files.Add(entry);
        }
        var first = entry.Parsed.Count == 0 && !_parsedOnce.Contains(path);
        _parsedOnce.Add(path);
        _includeStack.Add(path);
        var tok = new NginxTokenizer(data, _pool);
        if (_options.IncludeComments) tok.OnComment = (text, line) => _commentSink?.Add(new Node { File = path, Line = line, EndLine = line, Comment = text });
        var nodes = ParseBlock(tok, path, ctx, inBlock: false);
        _includeStack.RemoveAt(_includeStack.Count - 1);
        if (first) _pendingParsed.Add((entry, nodes));
        return nodes;
    }

    private readonly HashSet<string> _parsedOnce = new(StringComparer.Ordinal);
    private readonly StringPool _pool = new(latin1Fallback: false);
    private readonly List<(NginxConfigFile File, List<Node> Nodes)> _pendingParsed = new();

    private void AddError(string message, string? file, int line, NginxConfigErrorKind kind)
    {
        var e = new NginxConfigError(message, file, line, kind);
        _errors.Add(e);
        if (file is not null && _fileByPath.TryGetValue(file, out var f)) f.Errors.Add(e);
    }

    private List<Node> ParseBlock(NginxTokenizer tok, string file, NginxContext ctx, bool inBlock)
    {
        var list = new List<Node>();
        if (++_depth > MaxDepth)
        {
            AddError($"blocks nested deeper than {MaxDepth} levels", file, tok.Line, NginxConfigErrorKind.Syntax);
            _aborted = true;
            _depth--;
            return list;
        }
        try
        {
            while (!_aborted)
            {
                _commentSink = list;
                var rc = tok.Next();
                switch (rc)
                {
                    case NginxTokenResult.Error:
                        AddError(tok.Error!, file, tok.Line, NginxConfigErrorKind.Syntax);
                        _aborted = true;
                        return list;
                    case NginxTokenResult.FileDone:
                        if (inBlock)
                        {
                            AddError("unexpected end of file, expecting \"}\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                            _aborted = true;
                        }
                        return list;
                    case NginxTokenResult.BlockEnd:
                        if (!inBlock)
                        {
                            AddError("unexpected \"}\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                            _aborted = true;
                        }
                        return list;
                }

                var node = new Node { Words = tok.Args.ToArray(), File = file, Line = tok.StatementLine, EndLine = tok.Line };
                list.Add(node);
                var isBlock = rc == NginxTokenResult.BlockStart;
                var name = node.Name;

                if (ctx == NginxContext.ParameterBlock && isBlock)
                {
                    // ngx_conf_parse with a cf->handler (map, geo, types...): no nested blocks.
                    AddError("unexpected \"{\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                    _aborted = true;
                    return list;
                }

                if (_options.Validate && ctx is not (NginxContext.ParameterBlock or NginxContext.Unknown))
                    ValidateDirective(node, ctx, isBlock, file, tok.Line);

                if (isBlock)
                {
                    node.Children = ParseBlock(tok, file, NginxContexts.Child(ctx, name), inBlock: true);
                    continue;
                }

                if (name == "include" && node.Words.Length == 2)
                    ResolveInclude(node, ctx, tok.Line);
            }
            return list;
        }
        finally { _depth--; }
    }

    private void ValidateDirective(Node node, NginxContext ctx, bool isBlock, string file, int line)
    {
        var name = node.Name;
        var specs = DirectiveTable.Lookup(name);
        if (specs is null)
        {
            AddError($"unknown directive \"{name}\"", file, line, NginxConfigErrorKind.Directive);
            return;
        }
        foreach (var spec in specs)
        {
            if (!spec.Contexts.Contains(ctx)) continue;
            if (_options.NginxVersion is { } v && DirectiveTable.Since(name, ctx) is { } since && v < since) continue;
            if (!spec.IsBlock && isBlock) { AddError($"directive \"{name}\" is not terminated by \";\"", file, line, NginxConfigErrorKind.Directive); return; }
            if (spec.IsBlock && !isBlock) { AddError($"directive \"{name}\" has no opening \"{{\"", file, line, NginxConfigErrorKind.Directive); return; }
            if (!DirectiveTable.ArgsOk(spec, node.Words.Length))
                AddError($"invalid number of arguments in \"{name}\" directive", file, line, NginxConfigErrorKind.Directive);
            return;
        }
        AddError($"\"{name}\" directive is not allowed here", file, line, NginxConfigErrorKind.Directive);
    }

    /// <summary>ngx_conf_include: full name against the conf prefix, glob when wildcards, else the one file.</summary>
    private void ResolveInclude(Node node, NginxContext ctx, int line)
    {
        var arg = node.Words[1].Value;
        var path = arg.StartsWith('/') ? arg : _prefix.TrimEnd('/') + "/" + arg;
        IReadOnlyList<string> files;
        if (GlobPattern.HasWildcards(path))
        {
            try { files = _source.Glob(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                AddError($"glob() \"{path}\" failed ({e.Message})", node.File, line, NginxConfigErrorKind.Include);
                return;
            }
        }
        else files = new[] { path };

        foreach (var f in files)
        {
            if (_aborted) return;
            var nodes = ParseFile(f, ctx, node, line);
            if (nodes is null) continue;
            (node.Includes ??= new List<string>()).Add(f);
            (node.Inlined ??= new List<Node>()).AddRange(nodes);
        }
    }

    // Turns the mutable nodes into NginxDirective objects with their context path; records each
    // file's first-site top-level directives for the crossplane view.
    private List<NginxDirective> Freeze(List<Node> nodes, NginxDirective? parent, string context)
    {
        var result = FreezeList(nodes, parent, context);
        foreach (var (file, fileNodes) in _pendingParsed)
            file.Parsed = fileNodes.Where(n => n.Frozen is not null).Select(n => n.Frozen!).ToList();
        return result;
    }

    private List<NginxDirective> FreezeList(List<Node> nodes, NginxDirective? parent, string context)
    {
        var result = new List<NginxDirective>(nodes.Count);
        foreach (var n in nodes)
        {
            List<NginxDirective>? block = null;
            NginxDirective d;
            if (n.Children is not null)
            {
                var label = Label(n);
                var childContext = context.Length == 0 ? label : context + " > " + label;
                block = new List<NginxDirective>();
                d = Make(n, context, block);
                block.AddRange(FreezeList(n.Children, d, childContext));
            }
            else d = Make(n, context, null);
            d.Parent = parent;
            n.Frozen = d;
            result.Add(d);
            if (n.Inlined is { Count: > 0 }) result.AddRange(FreezeList(n.Inlined, parent, context));
        }
        return result;
    }

    private static NginxDirective Make(Node n, string context, List<NginxDirective>? block) => new()
    {
        Name = n.Name,
        Args = n.Name == "if" ? IfArgs.Normalize(n.Words.Skip(1).Select(w => w.Value)) : ArgValues(n.Words),
        Words = n.Words,
        File = n.File,
        Line = n.Line,
        EndLine = n.EndLine,
        Block = block,
        Context = context,
        Includes = n.Includes?.ToArray() ?? Array.Empty<string>(),
        Comment = n.Comment,
    };

    private static string[] ArgValues(NginxWord[] words)
    {
        if (words.Length <= 1) return Array.Empty<string>();
        var a = new string[words.Length - 1];
        for (int i = 1; i < words.Length; i++) a[i - 1] = words[i].Value;
        return a;
    }

    /// <summary>"server example.com", "location /api", "upstream app", "if ($x)".</summary>
    private static string Label(Node n)
    {
        if (n.Name == "server")
        {
            var sn = FindChild(n, "server_name") ?? FindChild(n, "listen");
            return sn is null || sn.Words.Length < 2 ? "server" : "server " + sn.Words[1].Value;
        }
        return n.Words.Length > 1 ? n.Name + " " + string.Join(' ', n.Words.Skip(1).Select(w => w.Value)) : n.Name;
    }

    private static Node? FindChild(Node n, string name)
    {
        foreach (var c in n.Children!)
        {
            if (c.Words.Length > 0 && c.Name == name) return c;
            if (c.Inlined is not null) foreach (var i in c.Inlined) if (i.Words.Length > 0 && i.Name == name) return i;
        }
        return null;
    }
}
