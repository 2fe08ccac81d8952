using System.Text;
using System.Text.RegularExpressions;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>The files of an `nginx -T` dump.</summary>
public sealed record NginxDump(string MainFile, IReadOnlyDictionary<string, byte[]> Files, IReadOnlyList<string> Order, IReadOnlyList<string> Warnings);

/// <summary>
/// Splits `nginx -T` output (nginx.c: "# configuration file PATH:\n" + file bytes + "\n" per file,
/// first-open order) into files. A header line is only a delimiter when its path is the first
/// one or matches an include pattern of a file already accepted; otherwise it is content (a file
/// may itself contain such a comment) and a warning says so.
/// </summary>
public static class NginxDumpSplitter
{
    private static readonly Regex Header = new(@"^# configuration file (/.*):$", RegexOptions.CultureInvariant);
    private static readonly Regex StatusLine = new(@"^nginx: (the configuration file .* (syntax is ok|test is successful)|\[warn\] .*)$", RegexOptions.CultureInvariant);

    public static NginxDump Split(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var order = new List<string>();
        var warnings = new List<string>();
        var patterns = new List<string>();
        string? main = null, current = null;
        string prefix = "/";
        var body = new StringBuilder();

        void Close()
        {
            if (current is null) return;
            var s = body.ToString();
            if (s.EndsWith('\n')) s = s[..^1];           // the "\n" nginx appends after each file
            if (s.EndsWith('\n')) s = s[..^1];           // the line break we re-added for the last line
            var bytes = Encoding.UTF8.GetBytes(s);
            files[current] = bytes;
            patterns.AddRange(IncludePatterns(bytes, prefix));
            body.Clear();
        }

        foreach (var line in lines)
        {
            // Most lines are config text: test the fixed prefix before running the regex.
            var m = line.StartsWith("# configuration file /", StringComparison.Ordinal) ? Header.Match(line) : Match.Empty;
            if (m.Success)
            {
                var path = m.Groups[1].Value;
                var accept = main is null
                    || (!files.ContainsKey(path) && path != current
                        && (patterns.Any(p => GlobPattern.Matches(p, path))
                            || IncludePatterns(Encoding.UTF8.GetBytes(body.ToString()), prefix).Any(p => GlobPattern.Matches(p, path))));
                if (accept)
                {
                    Close();
                    if (main is null) { main = path; prefix = Path.GetDirectoryName(path) ?? "/"; }
                    current = path;
                    order.Add(path);
                    continue;
                }
                warnings.Add($"'{line}' in {current} matches no include pattern; kept as file content.");
            }
            if (current is null)
            {
                if (line.Length > 0 && !StatusLine.IsMatch(line)) warnings.Add($"text before the first '# configuration file' header ignored: {line}");
                continue;
            }
            body.Append(line).Append('\n');
        }
        // nginx's own status lines when stderr was merged into the dump (2>&1).
        if (current is not null)
        {
            var s = body.ToString().TrimEnd('\n').Split('\n').ToList();
            var trimmed = false;
            while (s.Count > 0 && StatusLine.IsMatch(s[^1])) { s.RemoveAt(s.Count - 1); trimmed = true; }
            if (trimmed) { body.Clear(); body.Append(string.Join('\n', s)).Append("\n\n"); }
        }
        Close();
        if (main is null) throw new FormatException("no '# configuration file PATH:' header: this is not `nginx -T` output.");
        return new NginxDump(main, files, order, warnings);
    }

    /// <summary>Include arguments of a file, made absolute against the conf prefix.</summary>
    private static IEnumerable<string> IncludePatterns(byte[] data, string prefix)
    {
        var result = new List<string>();
        // No "include" in the bytes, no include directive (escapes cannot produce those letters):
        // most files of a big dump are then not tokenized a second time.
        if (data.AsSpan().IndexOf("include"u8) < 0) return result;
        var tok = new NginxTokenizer(data);
        while (true)
        {
            var rc = tok.Next();
            if (rc is NginxTokenResult.Error or NginxTokenResult.FileDone) break;
            if (rc == NginxTokenResult.Statement && tok.Args.Count == 2 && tok.Args[0].Value == "include")
            {
                var a = tok.Args[1].Value;
                result.Add(a.StartsWith('/') ? a : prefix.TrimEnd('/') + "/" + a);
            }
        }
        return result;
    }
}
