using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Fast path for big text logs: OOM and crash evidence is a tiny fraction of a kernel log, so
/// after the format is detected on the first lines, only lines holding one of the words every
/// rule needs are decoded and parsed. The words are searched in the raw bytes of 1 MB blocks
/// with vectorised IndexOf, one pass per word. Journal JSON is always parsed fully (a MESSAGE
/// may be a byte array, which holds no words).
/// </summary>
internal static class KeywordLineScanner
{
    /// <summary>Every line any rule of <see cref="KernelEventParser"/> reacts to contains one of these.</summary>
    private static readonly byte[][] Keys =
    [
        .. new[]
        {
            // No key starts or ends with a space: the vectorised search tests the first and last byte.
            "oom", "illed process", "ill process", "Killing process", "Task", "blob data]", "segfault", "general protection",
            "] trap", "CPU:", "Linux version", "OOM killer", "process exited", "due to", "sending SIG", "\n--",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    private const int FullLines = 64;
    private const int Block = 1 << 20;
    private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

    public static IEnumerable<LogRecord> Parse(Stream stream, string source, KernelLogOptions options, ReadStats stats, CancellationToken cancel)
    {
        var state = new State(stream, source, new KernelEventParser(source, options, stats), stats);
        var output = new List<LogRecord>();
        while (!state.Eof)
        {
            cancel.ThrowIfCancellationRequested();
            NextBlock(state, output);
            foreach (var r in output) yield return r;
            output.Clear();
        }
        state.Parser.Complete(output);
        foreach (var r in output) yield return r;
        stats.LinesRead += state.LineNo;
        if (state.LineNo > state.Pushed) stats.Skip("line without any OOM or crash keyword", state.LineNo - state.Pushed);
    }

    private sealed class State(Stream stream, string source, KernelEventParser parser, ReadStats stats)
    {
        public readonly Stream Stream = stream;
        public readonly string Source = source;
        public readonly KernelEventParser Parser = parser;
        public readonly ReadStats Stats = stats;
        public byte[] Buf = new byte[Block * 2];
        public int Filled;
        public long LineNo, Pushed;
        public bool FullMode = true, Eof;
        public readonly List<int> Marks = new();
    }

    /// <summary>Reads one block and parses its whole lines (records go to <paramref name="output"/>).</summary>
    private static void NextBlock(State st, List<LogRecord> output)
    {
        if (st.Filled == st.Buf.Length) Array.Resize(ref st.Buf, st.Buf.Length * 2); // a line longer than the buffer
        int n;
        try { n = st.Stream.Read(st.Buf, st.Filled, st.Buf.Length - st.Filled); }
        catch (InvalidDataException ex) { throw new LogReadException($"'{st.Source}' is corrupt after line {st.LineNo}: {ex.Message}", st.Source, st.LineNo, ex); }
        catch (EndOfStreamException ex) { throw new LogReadException($"'{st.Source}' ends unexpectedly after line {st.LineNo}: {ex.Message}", st.Source, st.LineNo, ex); }
        if (n == 0) st.Eof = true;
        st.Filled += n;
        st.Stats.BytesRead += n;
        var span = st.Buf.AsSpan(0, st.Filled);
        var end = st.Eof ? st.Filled : span.LastIndexOf((byte)'\n') + 1; // whole lines only
        if (end <= 0) return;
        var region = span[..end];
        var parser = st.Parser;
        var pos = 0;

        // Format detection (and JSON): decode every line.
        while (pos < end && (st.FullMode || parser.Format is KernelLogFormat.JournalJson or KernelLogFormat.Unknown))
        {
            var nl = region[pos..].IndexOf((byte)'\n');
            var lineEnd = nl < 0 ? end : pos + nl;
            st.LineNo++; st.Pushed++;
            parser.Push(Decode(region[pos..lineEnd]), st.LineNo, output);
            pos = nl < 0 ? end : lineEnd + 1;
            if (st.LineNo >= FullLines && parser.Format != KernelLogFormat.Unknown) st.FullMode = false;
        }

        if (pos < end)
        {
            // Keyword mode: mark the start of every line that holds a key, then parse those lines only.
            var rest = region[pos..];
            var marks = st.Marks;
            marks.Clear();
            foreach (var key in Keys)
            {
                var from = 0;
                while (from < rest.Length)
                {
                    var i = rest[from..].IndexOf(key);
                    if (i < 0) break;
                    var at = from + i + (key[0] == (byte)'\n' ? 1 : 0);
                    marks.Add(at == 0 ? 0 : rest[..at].LastIndexOf((byte)'\n') + 1);
                    var nextNl = rest[at..].IndexOf((byte)'\n');
                    from = nextNl < 0 ? rest.Length : at + nextNl + 1;
                }
            }
            if (rest.StartsWith("-- "u8)) marks.Add(0); // a separator at the start of the region has no '\n' before it
            marks.Sort();
            var counted = 0;
            var last = -1;
            foreach (var start in marks)
            {
                if (start == last) continue;
                last = start;
                st.LineNo += rest[counted..start].Count((byte)'\n');
                var nl = rest[start..].IndexOf((byte)'\n');
                var lineEnd = nl < 0 ? rest.Length : start + nl;
                st.LineNo++; st.Pushed++;
                parser.Push(Decode(rest[start..lineEnd]), st.LineNo, output);
                counted = nl < 0 ? rest.Length : lineEnd + 1;
            }
            st.LineNo += rest[counted..].Count((byte)'\n');
            if (st.Eof && rest.Length > 0 && rest[^1] != (byte)'\n' && counted < rest.Length) st.LineNo++; // last line without newline
        }

        // Keep the partial last line for the next block.
        span[end..st.Filled].CopyTo(st.Buf);
        st.Filled -= end;
    }

    private static string Decode(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        return Utf8.GetString(line);
    }
}
