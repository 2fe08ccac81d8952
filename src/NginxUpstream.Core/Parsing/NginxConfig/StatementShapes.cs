namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// The words of a statement written on one line, without the line: shared by every directive
/// with the same words and quoting (a config repeats `proxy_set_header Connection "";` thousands
/// of times), which adds its own line when the words are asked for.
/// </summary>
internal sealed class SingleLineWords(NginxWord[] template)
{
    public int Count => template.Length;
    public string Value(int i) => template[i].Value;

    public NginxWord[] At(int line)
    {
        var w = new NginxWord[template.Length];
        for (int i = 0; i < w.Length; i++) w[i] = template[i] with { Line = line };
        return w;
    }
}

/// <summary>
/// Hands out one Args array (and one <see cref="SingleLineWords"/>) per distinct statement, so
/// identical statements share them instead of each directive holding copies that all survive the
/// parse. Direct-mapped: a collision only costs a fresh copy. Words come from one StringPool, so
/// equal words are mostly the same string and are compared by reference.
/// </summary>
internal sealed class StatementShapes
{
    private const int Slots = 4096;
    private readonly Entry?[] _entries = new Entry?[Slots];

    // Shared between directives, so read-only: `$d.Args[0] = 'x'` in PowerShell must not change them all.
    private sealed class Entry(NginxWord[] key, string[] args)
    {
        public readonly NginxWord[] Key = key;
        public readonly IReadOnlyList<string> Args = args.Length == 0 ? Array.Empty<string>() : Array.AsReadOnly(args);
        public SingleLineWords? Words;
    }

    /// <summary>The shared Args array of <paramref name="words"/> (the name not included), and its one-line words when <paramref name="wantWords"/>.</summary>
    public IReadOnlyList<string> Get(List<NginxWord> words, bool wantWords, out SingleLineWords? shape)
    {
        var slot = Slot(words);
        var e = _entries[slot];
        if (e is null || !Same(e.Key, words))
        {
            var key = new NginxWord[words.Count];
            var args = words.Count <= 1 ? Array.Empty<string>() : new string[words.Count - 1];
            for (int i = 0; i < key.Length; i++)
            {
                var w = words[i];
                key[i] = w with { Line = 0 };
                if (i > 0) args[i - 1] = w.Value;
            }
            _entries[slot] = e = new Entry(key, args);
        }
        shape = wantWords ? e.Words ??= new SingleLineWords(e.Key) : null;
        return e.Args;
    }

    private static bool Same(NginxWord[] key, List<NginxWord> words)
    {
        if (key.Length != words.Count) return false;
        for (int i = 0; i < key.Length; i++)
        {
            var w = words[i];
            if (!ReferenceEquals(key[i].Value, w.Value) || !ReferenceEquals(key[i].Raw, w.Raw) || key[i].Quote != w.Quote) return false;
        }
        return true;
    }

    // String hashes (identity hashes, RuntimeHelpers.GetHashCode, were the top frame of a sampled trace);
    // a collision only costs a miss.
    private static int Slot(List<NginxWord> words)
    {
        uint h = (uint)words.Count;
        foreach (var w in words)
        {
            var x = (uint)w.Value.GetHashCode() ^ w.Quote;
            if (!ReferenceEquals(w.Raw, w.Value)) x ^= (uint)w.Raw.GetHashCode() >> 3;
            h = (h ^ x) * 0x9E3779B1u;
        }
        return (int)((h ^ (h >> 15)) % Slots);
    }
}
