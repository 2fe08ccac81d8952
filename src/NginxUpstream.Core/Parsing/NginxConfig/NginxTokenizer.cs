using System.Text;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>What <see cref="NginxTokenizer.Next"/> stopped on.</summary>
public enum NginxTokenResult { Statement, BlockStart, BlockEnd, FileDone, Error }

/// <summary>
/// A port of nginx's ngx_conf_read_token (src/core/ngx_conf_file.c) over the raw bytes of one
/// file: the same states, the same error texts and the same line numbers. Bytes are never
/// decoded for tokenizing (no BOM handling, '#' only at a word start, "${" keeps a word open).
/// </summary>
public sealed class NginxTokenizer
{
    /// <summary>NGX_CONF_BUFFER: a token or comment that does not fit is an error.</summary>
    public const int BufferSize = 4096;

    private readonly byte[] _data;
    private readonly int _length;
    private readonly StringPool _pool;
    private int _pos;
    private byte[]? _unescaped;

    /// <param name="data">The file's bytes: the first <paramref name="length"/> of them (a reused read buffer).</param>
    /// <param name="pool">Shared across the files of one parse: directive names and common values repeat.</param>
    internal NginxTokenizer(byte[] data, int length, StringPool? pool)
    {
        _data = data;
        _length = length;
        _pool = pool ?? new StringPool(latin1Fallback: false);
    }

    public NginxTokenizer(byte[] data) : this(data, data.Length, null) { }

    /// <summary>The line the reader is on (LF counted), as nginx reports errors.</summary>
    public int Line { get; private set; } = 1;

    /// <summary>Words of the statement just returned.</summary>
    public List<NginxWord> Args { get; } = new();

    /// <summary>Line of the first word of the statement just returned.</summary>
    public int StatementLine { get; private set; }

    /// <summary>The error text when <see cref="Next"/> returned Error (line in <see cref="Line"/>).</summary>
    public string? Error { get; private set; }

    /// <summary>When set, receives each comment (text after '#', line) as it is skipped.</summary>
    public Action<string, int>? OnComment { get; set; }

    public NginxTokenResult Next()
    {
        Args.Clear();
        Error = null;
        bool lastSpace = true, needSpace = false, quoted = false, dQuoted = false, sQuoted = false,
             sharpComment = false, variable = false;
        int start = _pos, startLine = Line;
        StatementLine = 0;

        while (true)
        {
            if (_pos >= _length)
            {
                if (sharpComment) EmitComment(start, _length, startLine);
                if (Args.Count > 0 || !lastSpace)
                    return Fail("unexpected end of file, expecting \";\" or \"}\"");
                return NginxTokenResult.FileDone;
            }

            // A token (or comment) that has not ended within the read buffer: nginx refuses it.
            if (!lastSpace || sharpComment)
            {
                if (_pos - start >= BufferSize)
                {
                    Line = startLine;
                    if (dQuoted) return Fail("too long parameter, probably missing terminating \"\"\" character");
                    if (sQuoted) return Fail("too long parameter, probably missing terminating \"'\" character");
                    return Fail($"too long parameter \"{Decode(start, 10)}...\" started");
                }
            }

            byte ch = _data[_pos++];

            if (ch == (byte)'\n')
            {
                Line++;
                if (sharpComment)
                {
                    sharpComment = false;
                    EmitComment(start, _pos - 1, startLine);
                }
            }

            if (sharpComment) continue;

            if (quoted) { quoted = false; continue; }

            if (needSpace)
            {
                if (IsSpace(ch)) { lastSpace = true; needSpace = false; continue; }
                if (ch == (byte)';') return Done(NginxTokenResult.Statement);
                if (ch == (byte)'{') return Done(NginxTokenResult.BlockStart);
                if (ch == (byte)')') { lastSpace = true; needSpace = false; }
                else return Fail($"unexpected \"{(char)ch}\"");
            }

            if (lastSpace)
            {
                start = _pos - 1;
                startLine = Line;
                if (IsSpace(ch)) continue;

                switch (ch)
                {
                    case (byte)';':
                    case (byte)'{':
                        if (Args.Count == 0) return Fail($"unexpected \"{(char)ch}\"");
                        return Done(ch == (byte)'{' ? NginxTokenResult.BlockStart : NginxTokenResult.Statement);
                    case (byte)'}':
                        if (Args.Count != 0) return Fail("unexpected \"}\"");
                        return NginxTokenResult.BlockEnd;
                    case (byte)'#':
                        sharpComment = true;
                        continue;
                    case (byte)'\\':
                        quoted = true; lastSpace = false; continue;
                    case (byte)'"':
                        start++; dQuoted = true; lastSpace = false; continue;
                    case (byte)'\'':
                        start++; sQuoted = true; lastSpace = false; continue;
                    case (byte)'$':
                        variable = true; lastSpace = false; continue;
                    default:
                        lastSpace = false; continue;
                }
            }

            // Inside a word.
            if (ch == (byte)'{' && variable) continue;
            variable = false;
            if (ch == (byte)'\\') { quoted = true; continue; }
            if (ch == (byte)'$') { variable = true; continue; }

            bool found = false;
            char quote = '\0';
            if (dQuoted)
            {
                if (ch == (byte)'"') { dQuoted = false; needSpace = true; found = true; quote = '"'; }
            }
            else if (sQuoted)
            {
                if (ch == (byte)'\'') { sQuoted = false; needSpace = true; found = true; quote = '\''; }
            }
            else if (IsSpace(ch) || ch == (byte)';' || ch == (byte)'{')
            {
                lastSpace = true; found = true;
            }

            if (found)
            {
                if (Args.Count == 0) StatementLine = startLine;
                Args.Add(MakeWord(start, _pos - 1, quote, startLine));
                if (ch == (byte)';') return Done(NginxTokenResult.Statement);
                if (ch == (byte)'{') return Done(NginxTokenResult.BlockStart);
            }
        }
    }

    private NginxTokenResult Done(NginxTokenResult r) => r;

    private NginxTokenResult Fail(string message)
    {
        Error = message;
        return NginxTokenResult.Error;
    }

    private static bool IsSpace(byte ch) => ch is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private void EmitComment(int hashPos, int end, int line)
    {
        if (OnComment is null) return;
        // crossplane strips the '#' and a trailing CR.
        var s = hashPos + 1;
        var e = end;
        if (e > s && _data[e - 1] == (byte)'\r') e--;
        OnComment(Encoding.UTF8.GetString(_data, s, Math.Max(0, e - s)), line);
    }

    private string Decode(int start, int max) => Encoding.UTF8.GetString(_data, start, Math.Min(max, _length - start));

    /// <summary>ngx_conf_file.c:757-790: \" \' \\ \t \r \n are unescaped, any other \x is kept.</summary>
    private NginxWord MakeWord(int start, int end, char quote, int line)
    {
        var len = end - start;
        var raw = _pool.Get(_data.AsSpan(start, len));
        if (_data.AsSpan(start, len).IndexOf((byte)'\\') < 0) return new NginxWord(raw, raw, quote, line);
        // Unescaped into a reused buffer and pooled like any word: escaped values repeat too.
        var buf = _unescaped is { } u && u.Length >= len ? u : _unescaped = new byte[Math.Max(len, 256)];
        int n = 0;
        for (int i = start; i < end; i++)
        {
            if (_data[i] == (byte)'\\' && i + 1 < end)
            {
                switch (_data[i + 1])
                {
                    case (byte)'"': case (byte)'\'': case (byte)'\\': buf[n++] = _data[i + 1]; i++; continue;
                    case (byte)'t': buf[n++] = (byte)'\t'; i++; continue;
                    case (byte)'r': buf[n++] = (byte)'\r'; i++; continue;
                    case (byte)'n': buf[n++] = (byte)'\n'; i++; continue;
                }
            }
            buf[n++] = _data[i];
        }
        return new NginxWord(_pool.Get(buf.AsSpan(0, n)), raw, quote, line);
    }
}
