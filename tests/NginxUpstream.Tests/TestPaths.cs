namespace NginxUpstream.Tests;

/// <summary>Where the shared corpora and the repository are, from the test binary's folder.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding NginxUpstream.sln).</summary>
    public static string RepoRoot { get; } = FindUp(AppContext.BaseDirectory, d => File.Exists(Path.Combine(d, "NginxUpstream.sln")))
        ?? throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);

    /// <summary>The read-only shared folder (corpus/, reference/): $NGINXUPSTREAM_SHARED, else a 'shared' folder beside or above the repository.</summary>
    public static string Shared { get; } = Environment.GetEnvironmentVariable("NGINXUPSTREAM_SHARED") is { Length: > 0 } env && Directory.Exists(env)
        ? env
        : FindUp(RepoRoot, d => Directory.Exists(Path.Combine(d, "shared", "corpus"))) is { } p ? Path.Combine(p, "shared")
        : throw new DirectoryNotFoundException("shared/corpus not found beside or above " + RepoRoot);

    public static string Corpus(params string[] parts) => Path.Combine(new[] { Shared, "corpus" }.Concat(parts).ToArray());

    private static string? FindUp(string start, Func<string, bool> match)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            if (match(d.FullName)) return d.FullName;
        return null;
    }
}
