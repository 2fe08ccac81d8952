namespace NginxUpstream.Model;

/// <summary>One file the parser read (crossplane's config[] entry).</summary>
public sealed class NginxConfigFile
{
    public string Path { get; init; } = "";
    /// <summary>"ok" or "failed".</summary>
    public string Status => Errors.Count == 0 ? "ok" : "failed";
    public List<NginxConfigError> Errors { get; } = new();
    /// <summary>Top-level directives of this file at its first inclusion site.</summary>
    public IReadOnlyList<NginxDirective> Parsed { get; internal set; } = Array.Empty<NginxDirective>();
}

/// <summary>A whole parsed configuration: the tree with includes resolved, every file read, every error.</summary>
public sealed class NginxConfig
{
    /// <summary>The main config file.</summary>
    public string MainFile { get; init; } = "";
    /// <summary>Where it came from: the file path, "nginx -T" or "dump".</summary>
    public string Source { get; init; } = "";
    /// <summary>nginx version the config targets, when known (from `nginx -v` or the caller).</summary>
    public Version? NginxVersion { get; set; }
    /// <summary>Top-level directives; blocks hold children, includes are followed by their files' directives.</summary>
    public IReadOnlyList<NginxDirective> Directives { get; internal set; } = Array.Empty<NginxDirective>();
    /// <summary>Files in the order nginx opened them (each once).</summary>
    public IReadOnlyList<NginxConfigFile> Files { get; internal set; } = Array.Empty<NginxConfigFile>();
    /// <summary>All errors, in the order nginx would meet them; the first is what `nginx -t` would print.</summary>
    public IReadOnlyList<NginxConfigError> Errors { get; internal set; } = Array.Empty<NginxConfigError>();
    /// <summary>Warnings that are not nginx errors (e.g. a dump header that no include explains).</summary>
    public IReadOnlyList<string> Warnings { get; internal set; } = Array.Empty<string>();

    public bool IsValid => Errors.Count == 0;

    /// <summary>Every directive, depth first, in file order.</summary>
    public IEnumerable<NginxDirective> Descendants()
    {
        var stack = new Stack<IEnumerator<NginxDirective>>();
        stack.Push(Directives.GetEnumerator());
        while (stack.Count > 0)
        {
            var e = stack.Peek();
            if (!e.MoveNext()) { stack.Pop(); continue; }
            yield return e.Current;
            if (e.Current.Block is { } b) stack.Push(b.GetEnumerator());
        }
    }
}
