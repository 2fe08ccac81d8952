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
    private readonly HashSet<string> _parsedOnce = new(StringComparer.Ordinal);
    private readonly List<string> _includeStack = new();
    private readonly StringPool _pool = new(latin1Fallback: false);
    private readonly StatementShapes _shapes = new();
    private readonly List<byte[]> _readBuffers = new();
    // Directives of every block still open, innermost last: a block's children (with the
    // directives of files it includes, inlined after their `include`) are appended here and
    // moved into one exactly sized array when the block closes.
    private readonly List<NginxDirective> _open = new();
    private string _prefix = "";
    private bool _aborted;
    private int _depth;
    // The server block being read, for its context label: its first server_name / listen
    // among its own directives and those of files it includes directly (not deeper).
    private ServerLabelScan? _serverScan;
    private int _includeDepth;
    // The block a comment met by the tokenizer now belongs to (comments go to the innermost open block).
    private NginxDirective? _commentParent;

    private sealed class ServerLabelScan
    {
        public NginxDirective? ServerName, Listen;
    }

    public NginxConfigParser(IConfigFileSource source, NginxParseOptions? options = null)
    {
        _source = source;
        _options = options ?? new NginxParseOptions();
    }

    /// <summary>Parses the main file <paramref name="mainPath"/> (absolute) and everything it includes.</summary>
    public Model.NginxConfig Parse(string mainPath, string sourceLabel)
    {
        _prefix = _options.ConfPrefix ?? (Path.GetDirectoryName(mainPath) ?? "/");
        _open.Clear();
        ParseFile(mainPath, _options.StartContext, null, null, 0);
        var top = TakeOpen(0);
        if (_options.Validate && _options.RequireEvents && _options.StartContext == NginxContext.Main && !_aborted
            && _files.Count > 0 && !HasEvents(top))
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

    // The top level holds the directives of included files too, so one pass sees them all.
    private static bool HasEvents(NginxDirective[] top)
    {
        foreach (var d in top) if (d.Name == "events") return true;
        return false;
    }

    /// <summary>Moves <c>_open[start..]</c> into an array and drops it from the open list.</summary>
    private NginxDirective[] TakeOpen(int start)
    {
        var n = _open.Count - start;
        if (n == 0) return Array.Empty<NginxDirective>();
        var a = new NginxDirective[n];
        _open.CopyTo(start, a, 0, n);
        _open.RemoveRange(start, n);
        return a;
    }

    /// <summary>Reads one file into <c>_open</c>; false when it could not be read (cycle, I/O error).</summary>
    private bool ParseFile(string path, NginxContext ctx, NginxDirective? parent, NginxDirective? site, int siteLine)
    {
        if (_includeStack.Contains(path, StringComparer.Ordinal))
        {
            var chain = string.Join(" -> ", _includeStack.Skip(_includeStack.IndexOf(path)).Append(path));
            AddError($"include cycle: {chain}", site?.File, siteLine, NginxConfigErrorKind.Include);
            return false;
        }
        byte[] data;
        int length;
        try
        {
            if (_source is DiskConfigSource)
            {
                // One read buffer per include depth: the including file's tokenizer still reads its own.
                var depth = _includeStack.Count;
                while (_readBuffers.Count <= depth) _readBuffers.Add(Array.Empty<byte>());
                data = _readBuffers[depth];
                length = DiskConfigSource.ReadInto(path, ref data);
                _readBuffers[depth] = data;
            }
            else length = (data = _source.Read(path)).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AddError(e.Message, site?.File, siteLine, NginxConfigErrorKind.Include);
            return false;
        }
        if (!_fileByPath.TryGetValue(path, out var entry))
        {
            entry = new NginxConfigFile { Path = path };
            _fileByPath[path] = entry;
            _files.Add(entry);
        }
        var first = _parsedOnce.Add(path);
        _includeStack.Add(path);
        var tok = new NginxTokenizer(data, length, _pool);
        if (_options.IncludeComments)
            tok.OnComment = (text, line) => _open.Add(new NginxDirective
            {
                Name = "#", File = path, Line = line, EndLine = line, Comment = text, Parent = _commentParent,
            });
        var start = _open.Count;
        ParseBlock(tok, path, ctx, parent, inBlock: false);
        _includeStack.RemoveAt(_includeStack.Count - 1);
        if (first)
        {
            // The file's own top-level directives: what follows `start` minus the directives of
            // files it included, which always have another File (an include of itself is a cycle).
            var parsed = new List<NginxDirective>();
            for (int i = start; i < _open.Count; i++) if (_open[i].File == path) parsed.Add(_open[i]);
            entry.Parsed = parsed;
        }
        return true;
    }

    private void AddError(string message, string? file, int line, NginxConfigErrorKind kind)
    {
        var e = new NginxConfigError(message, file, line, kind);
        _errors.Add(e);
        if (file is not null && _fileByPath.TryGetValue(file, out var f)) f.Errors.Add(e);
    }

    /// <summary>Reads statements up to the end of the block (or file) and appends them to <c>_open</c>.</summary>
    private void ParseBlock(NginxTokenizer tok, string file, NginxContext ctx, NginxDirective? parent, bool inBlock)
    {
        if (++_depth > MaxDepth)
        {
            AddError($"blocks nested deeper than {MaxDepth} levels", file, tok.Line, NginxConfigErrorKind.Syntax);
            _aborted = true;
            _depth--;
            return;
        }
        try
        {
            while (!_aborted)
            {
                _commentParent = parent;
                var rc = tok.Next();
                switch (rc)
                {
                    case NginxTokenResult.Error:
                        AddError(tok.Error!, file, tok.Line, NginxConfigErrorKind.Syntax);
                        _aborted = true;
                        return;
                    case NginxTokenResult.FileDone:
                        if (inBlock)
                        {
                            AddError("unexpected end of file, expecting \"}\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                            _aborted = true;
                        }
                        return;
                    case NginxTokenResult.BlockEnd:
                        if (!inBlock)
                        {
                            AddError("unexpected \"}\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                            _aborted = true;
                        }
                        return;
                }

                var words = tok.Args;
                var name = words[0].Value;
                var line = tok.StatementLine;
                // Words are kept only where Name + Args do not give them back (see NginxDirective.Words);
                // identical statements share their Args array and one-line words.
                var shape = name == "if" ? Shape.MultiLine : ShapeOf(words, line);
                IReadOnlyList<string> args;
                object? wordsStorage = null;
                if (shape == Shape.MultiLine)
                {
                    args = ArgValues(words);
                    if (name == "if") args = IfArgs.Normalize(args);
                    wordsStorage = words.ToArray();
                }
                else
                {
                    args = _shapes.Get(words, shape == Shape.OneLine, out var oneLine);
                    wordsStorage = oneLine;
                }
                var d = new NginxDirective
                {
                    Name = name,
                    Args = args,
                    WordsStorage = wordsStorage,
                    File = file,
                    Line = line,
                    EndLine = tok.Line,
                    Parent = parent,
                };
                _open.Add(d);
                if (_serverScan is { } scan && _includeDepth <= 1)
                {
                    if (name == "server_name") scan.ServerName ??= d;
                    else if (name == "listen") scan.Listen ??= d;
                }
                var isBlock = rc == NginxTokenResult.BlockStart;

                if (ctx == NginxContext.ParameterBlock && isBlock)
                {
                    // ngx_conf_parse with a cf->handler (map, geo, types...): no nested blocks.
                    // (A block directive's block is set when its body is read; this one never is.)
                    AddError("unexpected \"{\"", file, tok.Line, NginxConfigErrorKind.Syntax);
                    _aborted = true;
                    return;
                }

                if (_options.Validate && ctx is not (NginxContext.ParameterBlock or NginxContext.Unknown))
                    ValidateDirective(d, ctx, isBlock, file, tok.Line);

                if (isBlock)
                {
                    ReadBody(tok, file, NginxContexts.Child(ctx, name), d);
                    continue;
                }

                if (name == "include" && words.Count == 2)
                    ResolveInclude(d, ctx, parent, tok.Line);
            }
        }
        finally { _depth--; }
    }

    /// <summary>Reads a block directive's body into its Block (and, for a server, its context label).</summary>
    private void ReadBody(NginxTokenizer tok, string file, NginxContext ctx, NginxDirective d)
    {
        var outerScan = _serverScan;
        var outerIncludeDepth = _includeDepth;
        var scan = d.Name == "server" ? new ServerLabelScan() : null;
        _serverScan = scan;
        _includeDepth = 0;
        var start = _open.Count;
        try { ParseBlock(tok, file, ctx, d, inBlock: true); }
        finally
        {
            d.SetBlock(TakeOpen(start));
            if (scan is not null) d.SetLabel(ServerLabel(scan));
            _serverScan = outerScan;
            _includeDepth = outerIncludeDepth;
        }
    }

    /// <summary>"server example.com" from the first server_name, else the first listen; else "server".</summary>
    private static string ServerLabel(ServerLabelScan scan)
    {
        var sn = scan.ServerName ?? scan.Listen;
        return sn is null || sn.WordCount < 2 ? "server" : "server " + sn.WordValue(1);
    }

    private void ValidateDirective(NginxDirective d, NginxContext ctx, bool isBlock, string file, int line)
    {
        var name = d.Name;
        var specs = DirectiveTable.Lookup(name);
        if (specs is null)
        {
            AddError($"unknown directive \"{name}\"", file, line, NginxConfigErrorKind.Directive);
            return;
        }
        var nelts = d.WordCount;
        // Indexed: foreach over the IReadOnlyList boxed an enumerator for every directive.
        for (int i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (!spec.Contexts.Contains(ctx)) continue;
            if (_options.NginxVersion is { } v && DirectiveTable.Since(name, ctx) is { } since && v < since) continue;
            if (!spec.IsBlock && isBlock) { AddError($"directive \"{name}\" is not terminated by \";\"", file, line, NginxConfigErrorKind.Directive); return; }
            if (spec.IsBlock && !isBlock) { AddError($"directive \"{name}\" has no opening \"{{\"", file, line, NginxConfigErrorKind.Directive); return; }
            if (!DirectiveTable.ArgsOk(spec, nelts))
                AddError($"invalid number of arguments in \"{name}\" directive", file, line, NginxConfigErrorKind.Directive);
            return;
        }
        AddError($"\"{name}\" directive is not allowed here", file, line, NginxConfigErrorKind.Directive);
    }

    /// <summary>ngx_conf_include: full name against the conf prefix, glob when wildcards, else the one file.</summary>
    private void ResolveInclude(NginxDirective d, NginxContext ctx, NginxDirective? parent, int line)
    {
        var arg = d.WordValue(1);
        var path = arg.StartsWith('/') ? arg : _prefix.TrimEnd('/') + "/" + arg;
        IReadOnlyList<string> files;
        if (GlobPattern.HasWildcards(path))
        {
            try { files = _source.Glob(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                AddError($"glob() \"{path}\" failed ({e.Message})", d.File, line, NginxConfigErrorKind.Include);
                return;
            }
        }
        else files = new[] { path };

        List<string>? read = null;
        _includeDepth++;
        try
        {
            foreach (var f in files)
            {
                if (_aborted) break;
                // Include is textual: the file's directives land in the including block, after `include`.
                if (ParseFile(f, ctx, parent, d, line)) (read ??= new List<string>()).Add(f);
            }
        }
        finally { _includeDepth--; }
        if (read is not null) d.SetIncludes(read.ToArray());
    }

    private static string[] ArgValues(List<NginxWord> words)
    {
        if (words.Count <= 1) return Array.Empty<string>();
        var a = new string[words.Count - 1];
        for (int i = 1; i < words.Count; i++) a[i - 1] = words[i].Value;
        return a;
    }

    private enum Shape { Plain, OneLine, MultiLine }

    /// <summary>Plain: unquoted, unescaped words on the statement's line; OneLine: quoted or escaped, one line.</summary>
    private static Shape ShapeOf(List<NginxWord> words, int line)
    {
        var shape = Shape.Plain;
        foreach (var w in words)
        {
            if (w.Line != line) return Shape.MultiLine;
            if (w.Quote != '\0' || !ReferenceEquals(w.Raw, w.Value)) shape = Shape.OneLine;
        }
        return shape;
    }
}
