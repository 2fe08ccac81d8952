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
    // nginx -t/-T status lines on stderr (merged with 2>&1): "nginx: the configuration file F syntax is ok",
    // then "nginx: configuration file F test is successful" (no "the"), and warnings.
    private static readonly Regex StatusLine = new(@"^nginx: ((the )?configuration file .* (syntax is ok|test is successful|test failed)|\[warn\] .*)$", RegexOptions.CultureInvariant);

    public static NginxDump Split(string text)
    {
        text = text.Replace("\r\n", "\n");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var order = new List<string>();
        var warnings = new List<string>();
        var patterns = new List<string>();
        string? main = null, current = null;
        string prefix = "/";
        // The current file's body is the lines [bodyStart, bodyEnd) of the text, each taken with
        // its '\n' (the last one's added): one slice instead of a string per line and a copy.
        int bodyStart = 0, bodyEnd = 0, bodyLines = 0;

        string BodyText() => bodyLines == 0 ? "" : string.Concat(text.AsSpan(bodyStart, bodyEnd - bodyStart), "\n");

        // Stores the current file; `content` is its body without the '\n' ending its last line.
        void Close(ReadOnlySpan<char> content)
        {
            if (current is null) return;
            if (content.Length > 0 && content[^1] == '\n') content = content[..^1];   // the "\n" nginx appends after each file
            var bytes = new byte[Encoding.UTF8.GetByteCount(content)];
            Encoding.UTF8.GetBytes(content, bytes);
            files[current] = bytes;
            patterns.AddRange(IncludePatterns(bytes, prefix));
            bodyLines = 0;
        }

        void CloseBody() => Close(bodyLines == 0 ? ReadOnlySpan<char>.Empty : text.AsSpan(bodyStart, bodyEnd - bodyStart));

        // The lines of text.Split('\n'), without making a string of each.
        for (int pos = 0; ; )
        {
            var nl = text.IndexOf('\n', pos);
            var lineEnd = nl < 0 ? text.Length : nl;
            var span = text.AsSpan(pos, lineEnd - pos);
            var header = false;
            // Most lines are config text: test the fixed prefix before running the regex.
            if (span.StartsWith("# configuration file /", StringComparison.Ordinal))
            {
                var line = span.ToString();
                var m = Header.Match(line);
                if (m.Success)
                {
                    var path = m.Groups[1].Value;
                    var accept = main is null
                        || (!files.ContainsKey(path) && path != current
                            && (patterns.Any(p => GlobPattern.Matches(p, path))
                                || IncludePatterns(Encoding.UTF8.GetBytes(BodyText()), prefix).Any(p => GlobPattern.Matches(p, path))));
                    if (accept)
                    {
                        CloseBody();
                        if (main is null) { main = path; prefix = Path.GetDirectoryName(path) ?? "/"; }
                        current = path;
                        order.Add(path);
                        header = true;
                    }
                    else warnings.Add($"'{line}' in {current} matches no include pattern; kept as file content.");
                }
            }
            if (!header)
            {
                if (current is null)
                {
                    if (span.Length > 0)
                    {
                        var line = span.ToString();
                        if (!StatusLine.IsMatch(line)) warnings.Add($"text before the first '# configuration file' header ignored: {line}");
                    }
                }
                else
                {
                    if (bodyLines++ == 0) bodyStart = pos;
                    bodyEnd = lineEnd;
                }
            }
            if (nl < 0) break;
            pos = nl + 1;
        }
        // nginx's own status lines when stderr was merged into the dump (2>&1).
        var closed = false;
        if (current is not null)
        {
            var s = BodyText().TrimEnd('\n').Split('\n').ToList();
            var trimmed = false;
            while (s.Count > 0 && StatusLine.IsMatch(s[^1])) { s.RemoveAt(s.Count - 1); trimmed = true; }
            if (trimmed) { Close(string.Join('\n', s) + "\n"); closed = true; }
        }
        if (!closed) CloseBody();
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
