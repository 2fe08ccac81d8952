using System.Text;
using System.Text.RegularExpressions;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>Where the parser reads config files from: the disk, or the files of an `nginx -T` dump.</summary>
public interface IConfigFileSource
{
    /// <summary>The file's bytes; throws IOException/UnauthorizedAccessException with an errno-style message.</summary>
    byte[] Read(string path);

    /// <summary>Files matching a glob(3) pattern, byte-sorted; empty when nothing matches.</summary>
    IReadOnlyList<string> Glob(string pattern);
}

/// <summary>glob(3) semantics shared by both sources: '*', '?', '[..]' never match '/'; a leading '.' needs an explicit '.'.</summary>
internal static class GlobPattern
{
    public static bool HasWildcards(string path) => path.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public static Regex SegmentRegex(string segment)
    {
        var sb = new StringBuilder("^");
        if (segment.Length > 0 && segment[0] != '.') sb.Append("(?!\\.)");
        for (int i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    var close = segment.IndexOf(']', i + 2);
                    if (close < 0) { sb.Append("\\["); break; }
                    var body = segment.Substring(i + 1, close - i - 1);
                    if (body.StartsWith('!')) body = "^" + body[1..];
                    sb.Append('[').Append(body.Replace("\\", "\\\\")).Append(']');
                    i = close;
                    break;
                case '\\' when i + 1 < segment.Length: sb.Append(Regex.Escape(segment[++i].ToString())); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Whole-path match, segment by segment (so '*' cannot cross '/').</summary>
    public static bool Matches(string pattern, string path)
    {
        var ps = pattern.Split('/');
        var xs = path.Split('/');
        if (ps.Length != xs.Length) return false;
        for (int i = 0; i < ps.Length; i++)
        {
            if (HasWildcards(ps[i])) { if (!SegmentRegex(ps[i]).IsMatch(xs[i])) return false; }
            else if (ps[i] != xs[i]) return false;
        }
        return true;
    }

    /// <summary>Byte order of the UTF-8 names (nginx runs in the C locale).</summary>
    public static int ByteCompare(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}

/// <summary>Reads from the file system.</summary>
public sealed class DiskConfigSource : IConfigFileSource
{
    public byte[] Read(string path)
    {
        byte[] buffer = Array.Empty<byte>();
        var n = ReadInto(path, ref buffer);
        return n == buffer.Length ? buffer : buffer[..n];
    }

    /// <summary>
    /// Reads the file into <paramref name="buffer"/> (grown when too small) and returns its length:
    /// the parser reuses one buffer per include depth instead of a new array per file.
    /// </summary>
    internal static int ReadInto(string path, ref byte[] buffer)
    {
        if (Directory.Exists(path)) throw new IOException($"pread() \"{path}\" failed (21: Is a directory)");
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            // The length is a hint: /proc files say 0, pipes have none, and a file may change while it is read.
            var hint = fs.CanSeek ? fs.Length : 0;
            if (hint > Array.MaxLength) throw new IOException($"pread() \"{path}\" failed (27: File too large)");
            if (buffer.Length < hint + 1) buffer = new byte[Math.Max(hint + 1, 4096)];
            int n = 0, r;
            while ((r = fs.Read(buffer, n, buffer.Length - n)) > 0)
            {
                n += r;
                if (n == buffer.Length) Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
            }
            return n;
        }
        catch (FileNotFoundException) { throw new FileNotFoundException($"open() \"{path}\" failed (2: No such file or directory)", path); }
        catch (DirectoryNotFoundException) { throw new FileNotFoundException($"open() \"{path}\" failed (2: No such file or directory)", path); }
        catch (UnauthorizedAccessException) { throw new UnauthorizedAccessException($"open() \"{path}\" failed (13: Permission denied)"); }
    }

    public IReadOnlyList<string> Glob(string pattern)
    {
        var segments = pattern.Split('/');
        var current = new List<string> { segments[0].Length == 0 ? "" : segments[0] };
        for (int i = 1; i < segments.Length; i++)
        {
            var seg = segments[i];
            var next = new List<string>();
            foreach (var dir in current)
            {
                var d = dir.Length == 0 ? "/" : dir;
                if (!GlobPattern.HasWildcards(seg))
                {
                    var p = dir + "/" + seg;
                    if (i == segments.Length - 1 ? File.Exists(p) || Directory.Exists(p) : Directory.Exists(p)) next.Add(p);
                    continue;
                }
                if (!Directory.Exists(d)) continue;
                var re = GlobPattern.SegmentRegex(seg);
                IEnumerable<string> names;
                try { names = Directory.EnumerateFileSystemEntries(d).Select(Path.GetFileName)!; }
                catch (UnauthorizedAccessException) { continue; }
                foreach (var name in names)
                    if (re.IsMatch(name!)) next.Add(dir + "/" + name);
            }
            current = next;
        }
        current.Sort(GlobPattern.ByteCompare);
        return current;
    }
}

/// <summary>Reads the files of an `nginx -T` dump (see <see cref="NginxDumpSplitter"/>).</summary>
public sealed class DumpConfigSource : IConfigFileSource
{
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    public DumpConfigSource(IReadOnlyDictionary<string, byte[]> files) { _files = files; }

    public byte[] Read(string path) => _files.TryGetValue(path, out var b)
        ? b
        : throw new FileNotFoundException($"open() \"{path}\" failed (2: No such file or directory) (not in the nginx -T dump)", path);

    public IReadOnlyList<string> Glob(string pattern)
    {
        var list = _files.Keys.Where(k => GlobPattern.Matches(pattern, k)).ToList();
        list.Sort(GlobPattern.ByteCompare);
        return list;
    }
}
