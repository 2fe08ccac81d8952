using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// Splits one error.log record (raw bytes, possibly several physical lines joined by LF) into
/// header, message, errno and context, following nginx's own grammar
/// (reference/nginx-error-log.md §1, §2, §9). Works in place on the bytes and allocates nothing;
/// no regular expressions. Fields are found by nginx's fixed order, never by splitting on commas
/// or quotes: a value may contain both.
/// </summary>
internal static class RecordParser
{
    /// <summary>nginx writes at most NGX_MAX_ERROR_STR (2048) bytes including the LF.</summary>
    public const int MaxRecord = 2047;

    private enum Mode { Strict, AnyAction, Lenient }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int D2(ReadOnlySpan<byte> s, int i) => (s[i] - '0') * 10 + (s[i + 1] - '0');

    /// <summary>Parses the header; false when <paramref name="s"/> does not start with one. Writes every header field of <paramref name="r"/> when true.</summary>
    // Not inlined: inlined into the readers' loops, its three digit-run reads were left as calls
    // (the loop used up the JIT's inlining budget) and the upstream-only read was ~8% slower.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool TryParseHeader(ReadOnlySpan<byte> s, ref ParsedRecord r, out int body)
    {
        body = 0;
        // "YYYY/MM/DD HH:MM:SS [info] 1#0: " is at least 32 bytes.
        if (s.Length < 32 || !StampShape(s)) return false;
        // The level, compared as one 8-byte word: "error] 1", "warn] 12"... found by a hash of its
        // first two letters (distinct for the eight levels), so the mix of levels costs no branches.
        ulong lv = BinaryPrimitives.ReadUInt64LittleEndian(s[21..]);
        ref readonly var level = ref Levels[(s[21] * 3 + s[22]) & 31];
        if (level.Length == 0 || (lv & level.Mask) != level.Word) return false;
        int i = 21 + level.Length;
        if (i >= s.Length || s[i] != ' ') return false;
        i++;
        if (!Number(s, ref i, 10, out long pid) || i >= s.Length || s[i] != '#' || pid > int.MaxValue) return false;
        i++;
        if (!Number(s, ref i, 19, out long tid) || i >= s.Length || s[i] != ':') return false;
        i++;
        // The message may be empty only in theory; nginx always writes ": ".
        if (i < s.Length && s[i] == ' ') i++;
        long conn = -1;
        if (i < s.Length && s[i] == '*')
        {
            int j = i + 1;
            if (Number(s, ref j, 19, out long n) && j < s.Length && s[j] == ' ') { conn = n; i = j + 1; }
        }
        r.Year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + D2(s, 2);
        r.Month = D2(s, 5); r.Day = D2(s, 8); r.Hour = D2(s, 11); r.Minute = D2(s, 14); r.Second = D2(s, 17);
        r.Level = level.Level;
        r.ProcessId = (int)pid;
        r.ThreadId = tid;
        r.ConnectionId = conn;
        body = i;
        return true;
    }

    private readonly record struct LevelWord(ulong Word, ulong Mask, int Length, NginxLogLevel Level);

    /// <summary>The levels with their "]", by (first letter * 3 + second letter) mod 32; empty slots have Length 0.</summary>
    private static readonly LevelWord[] Levels = BuildLevels();

    private static LevelWord[] BuildLevels()
    {
        var t = new LevelWord[32];
        foreach (var (text, level) in new[]
                 {
                     ("error]", NginxLogLevel.Error), ("warn]", NginxLogLevel.Warn), ("info]", NginxLogLevel.Info), ("notice]", NginxLogLevel.Notice),
                     ("crit]", NginxLogLevel.Crit), ("alert]", NginxLogLevel.Alert), ("emerg]", NginxLogLevel.Emerg), ("debug]", NginxLogLevel.Debug),
                 })
        {
            var b = System.Text.Encoding.ASCII.GetBytes(text);
            int slot = (b[0] * 3 + b[1]) & 31;
            if (t[slot].Length != 0) throw new InvalidOperationException("level hash collision");
            t[slot] = new LevelWord(Word(b), ulong.MaxValue >> (8 * (8 - b.Length)), b.Length, level);
        }
        return t;
    }

    private static ulong Word(ReadOnlySpan<byte> b)
    {
        Span<byte> w = stackalloc byte[8];
        w.Clear();
        b.CopyTo(w);
        return BinaryPrimitives.ReadUInt64LittleEndian(w);
    }

    /// <summary>
    /// A run of 1..<paramref name="max"/> ASCII digits at <paramref name="i"/> (advanced past it),
    /// as nginx's header grammar reads it: at most max digits are taken. Runs of up to 7 digits
    /// are read from one 8-byte word; longer ones byte by byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Number(ReadOnlySpan<byte> s, ref int i, int max, out long value)
    {
        if (s.Length - i >= 8)
        {
            ulong w = BinaryPrimitives.ReadUInt64LittleEndian(s[i..]);
            int k = DigitRun(w);
            if (k == 0) { value = 0; return false; }
            if (k < 8 && k <= max)
            {
                value = (long)DigitsValue(w, k);
                i += k;
                return true;
            }
        }
        long n = 0; int start = i;
        while (i < s.Length && IsDigit(s[i]) && i - start < max) n = n * 10 + (s[i++] - '0');
        value = n;
        return i > start;
    }

    /// <summary>How many of the word's bytes, from the first, are ASCII digits (8 when all are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DigitRun(ulong w)
    {
        ulong t = w ^ 0x3030303030303030UL; // a digit byte becomes 0x00-0x09
        // Non-digit: a high nibble, or a low nibble above 9 (adding 6 carries into the high nibble).
        // A carry out of a byte only disturbs later bytes, which are past the first non-digit.
        ulong nonDigit = (t | (t + 0x0606060606060606UL)) & 0xF0F0F0F0F0F0F0F0UL;
        return BitOperations.TrailingZeroCount(nonDigit) >> 3;
    }

    /// <summary>The value of the first <paramref name="k"/> (1..8) digit bytes of the word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong DigitsValue(ulong w, int k)
    {
        // Digits to 0-9 and moved to the top bytes (leading zeros below); then pairs, quads, all eight.
        ulong t = (w - 0x3030303030303030UL) << (8 * (8 - k));
        t = (t * 10 + (t >> 8)) & 0x00FF00FF00FF00FFUL;
        t = (t * 100 + (t >> 16)) & 0x0000FFFF0000FFFFUL;
        return (t * 10000 + (t >> 32)) & 0xFFFFFFFFUL;
    }

    // "YYYY/MM/DD HH:MM:SS [" as three overlapping 8-byte words (bytes 0-7, 8-15, 13-20): the
    // separators must equal the pattern's, every other byte must be an ASCII digit.
    private static readonly ulong SepA = Pattern("dddd/dd/").Sep, MaskA = Pattern("dddd/dd/").Mask,
        SepB = Pattern("dd dd:dd").Sep, MaskB = Pattern("dd dd:dd").Mask, SepC = Pattern(":dd:dd [").Sep, MaskC = Pattern(":dd:dd [").Mask;

    /// <summary>An 8-byte pattern: 'd' is any digit, every other char that exact byte.</summary>
    private static (ulong Sep, ulong Mask) Pattern(string p)
    {
        ulong sep = 0, mask = 0;
        for (int k = 0; k < 8; k++)
            if (p[k] != 'd') { sep |= (ulong)(byte)p[k] << (8 * k); mask |= 0xFFUL << (8 * k); }
        return (sep, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DigitsAndSeparators(ulong v, ulong sep, ulong sepMask)
    {
        if ((v & sepMask) != sep) return false;
        // Digit bytes: 0x30-0x39, i.e. high nibble 3 and low nibble + 6 not carrying into the high one.
        ulong t = (v ^ 0x3030303030303030UL) & ~sepMask;
        return (t & 0xF0F0F0F0F0F0F0F0UL) == 0 && ((t + 0x0606060606060606UL) & 0xF0F0F0F0F0F0F0F0UL & ~sepMask) == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StampShape(ReadOnlySpan<byte> s) =>
        DigitsAndSeparators(BinaryPrimitives.ReadUInt64LittleEndian(s), SepA, MaskA)
        && DigitsAndSeparators(BinaryPrimitives.ReadUInt64LittleEndian(s[8..]), SepB, MaskB)
        && DigitsAndSeparators(BinaryPrimitives.ReadUInt64LittleEndian(s[13..]), SepC, MaskC);

    /// <summary>Parses a whole record. False when it does not start with an error.log header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, ref ParsedRecord r)
    {
        if (!TryParseHeader(s, ref r, out var body)) return false;
        ParseBody(s, body, ref r);
        return true;
    }

    /// <summary>True when the line starts like a header (time and "["): a new record, not a continuation.</summary>
    public static bool LooksLikeHeader(ReadOnlySpan<byte> s) =>
        s.Length >= 21 && s[4] == '/' && s[7] == '/' && s[10] == ' ' && s[13] == ':' && s[16] == ':' && s[19] == ' ' && s[20] == '['
        && IsDigit(s[0]) && IsDigit(s[3]) && IsDigit(s[18]);

    /// <summary>
    /// Parses message, errno and context after a successful <see cref="TryParseHeader"/>. Without
    /// <paramref name="textFields"/> the fields that only make text (the request line's method, URI
    /// and protocol, the SSL error) are left absent: a reader that decodes text on first use parses
    /// the record again then.
    /// </summary>
    // Not inlined either, for the same reason (the readers' loops stay small enough to optimise well).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ParseBody(ReadOnlySpan<byte> s, int body, ref ParsedRecord r, bool textFields = true)
    {
        r.ResetBody();
        // nginx cuts the line at 2047 bytes + LF (2046 + CRLF on Windows) without a marker.
        r.Truncated = s.Length == MaxRecord;
        var len = s.Length;
        if (len > 0 && s[len - 1] == '\r') s = s[..--len];

        var ctx = FindContext(s, body, Mode.Strict, ref r);
        if (ctx < 0) ctx = FindContext(s, body, Mode.AnyAction, ref r);
        if (ctx < 0 && r.Truncated) ctx = FindContext(s, body, Mode.Lenient, ref r);
        if (ctx < 0) { ClearContext(ref r); ctx = len; }

        var msgEnd = SplitErrno(s, body, ctx, ref r);
        r.Message = Seg.FromTo(body, msgEnd);
        if (textFields)
        {
            var m = r.Message.Of(s);
            var ssl = m.IndexOf("(SSL: "u8);
            if (ssl >= 0)
            {
                var close = m.LastIndexOf((byte)')');
                r.SslError = close > ssl ? new Seg(body + ssl + 6, close - ssl - 6) : Seg.FromTo(body + ssl + 6, msgEnd);
            }
        }
        r.Syscall = FindSyscall(s, r.Message);
        Classifier.Classify(s, ref r);
        if (textFields && r.Request.Present) SplitRequest(s, ref r);
        if (r.Upstream.Present) UpstreamAddress.Split(s, ref r);
    }

    private static void ClearContext(ref ParsedRecord r)
    {
        r.Action = r.Client = r.Server = r.Request = r.Subrequest = r.Upstream = r.Host = r.Referrer = r.Login = r.Resolver = Seg.None;
        r.Phase = UpstreamPhase.None;
        r.Facing = Phases.Facing.None;
        r.Context = LogContextKind.None;
        r.Udp = r.StartTls = r.HasCounters = false;
        r.BytesClientIn = r.BytesClientOut = r.BytesUpstreamIn = r.BytesUpstreamOut = 0;
    }

    private static int IndexFrom(ReadOnlySpan<byte> s, int from, ReadOnlySpan<byte> token)
    {
        if (from >= s.Length) return -1;
        var i = s[from..].IndexOf(token);
        return i < 0 ? -1 : from + i;
    }

    /// <summary>
    /// The next " while " at or after <paramref name="from"/> (-1: none), searched as "while" and
    /// checked for its spaces: a search for the whole token tests its first and last bytes, two
    /// spaces six bytes apart, which ordinary words match all the time.
    /// </summary>
    private static int While(ReadOnlySpan<byte> s, int from)
    {
        for (int p = from + 1; p < s.Length;)
        {
            int x = s[p..].IndexOf("while"u8);
            if (x < 0) return -1;
            x += p;
            if (s[x - 1] == ' ' && x + 5 < s.Length && s[x + 5] == ' ') return x - 1;
            p = x + 1;
        }
        return -1;
    }

    /// <summary>The next ", " at or after <paramref name="from"/> (-1: none).</summary>
    private static int CommaSpace(ReadOnlySpan<byte> s, int from) => Separator(s, from, ", "u8);

    /// <summary>The next <c>", </c> at or after <paramref name="from"/> (-1: none).</summary>
    private static int QuoteCommaSpace(ReadOnlySpan<byte> s, int from) => Separator(s, from, "\", "u8);

    /// <summary>
    /// The next <paramref name="sep"/> at or after <paramref name="from"/> (-1: none), found by its
    /// first byte: outside the separators commas and quotes are rare, and a one-byte search costs
    /// less than a search for the whole token.
    /// </summary>
    private static int Separator(ReadOnlySpan<byte> s, int from, ReadOnlySpan<byte> sep)
    {
        while (from < s.Length)
        {
            int x = s[from..].IndexOf(sep[0]);
            if (x < 0) return -1;
            x += from;
            if (s[x..].StartsWith(sep)) return x;
            from = x + 1;
        }
        return -1;
    }

    private static bool At(ReadOnlySpan<byte> s, int i, ReadOnlySpan<byte> token) => i <= s.Length && s[i..].StartsWith(token);

    /// <summary>
    /// The start of the context: the leftmost candidate (" while ", ", client: ", ", udp client: ",
    /// ", resolver: ") after which the whole remainder parses. -1 when none does.
    /// </summary>
    private static int FindContext(ReadOnlySpan<byte> s, int from, Mode mode, ref ParsedRecord r)
    {
        int w = While(s, from);
        int c = NextKeyAfterComma(s, from, actionEnd: false);
        while (true)
        {
            int m = w < 0 ? c : c < 0 ? w : Math.Min(w, c);
            if (m < 0) return -1;
            if (TryTail(s, m, mode, ref r)) return m;
            ClearContext(ref r);
            if (w == m) w = While(s, m + 1);
            if (c == m) c = NextKeyAfterComma(s, m + 1, actionEnd: false);
        }
    }

    /// <summary>
    /// The next ", " at or after <paramref name="from"/> followed by a key that opens the context
    /// ("client: ", "udp client: ", "resolver: ") or, with <paramref name="actionEnd"/>, one that can
    /// end an action (those and "server: ", "responder: "); -1 when none. The keys are compared as
    /// literals picked by their first letter: the JIT compares a literal in one or two words.
    /// </summary>
    private static int NextKeyAfterComma(ReadOnlySpan<byte> s, int from, bool actionEnd)
    {
        while (true)
        {
            int x = CommaSpace(s, from);
            if (x < 0) return -1;
            var t = s[(x + 2)..];
            if (t.Length > 0)
            {
                bool key = t[0] switch
                {
                    (byte)'c' => t.StartsWith("client: "u8),
                    (byte)'u' => t.StartsWith("udp client: "u8),
                    (byte)'r' => t.StartsWith("resolver: "u8) || (actionEnd && t.StartsWith("responder: "u8)),
                    (byte)'s' => actionEnd && t.StartsWith("server: "u8),
                    _ => false,
                };
                if (key) return x;
            }
            from = x + 1;
        }
    }

    private static bool TryTail(ReadOnlySpan<byte> s, int p, Mode mode, ref ParsedRecord r)
    {
        int end = s.Length;
        if (At(s, p, " while "u8))
        {
            int a = p + 7;
            if (At(s, a, "accepting new connection on "u8))
            {
                r.Action = new Seg(a, 24);
                r.Phase = UpstreamPhase.AcceptingNewConnection;
                r.Server = Seg.FromTo(a + 28, end);
                r.Context = LogContextKind.Accept;
                return mode == Mode.Lenient || s[(a + 28)..].IndexOf(", "u8) < 0;
            }
            int e = NextKeyAfterComma(s, a, actionEnd: true);
            if (e < 0) e = end;
            var action = s[a..e];
            if (Phases.TryGet(action, out var entry)) { r.Phase = entry.Phase; r.Facing = entry.Facing; }
            else if (mode == Mode.Strict || action.IndexOf((byte)'"') >= 0 || action.Length == 0) return false;
            else r.Phase = UpstreamPhase.Other;
            r.Action = Seg.FromTo(a, e);
            p = e;
            if (p == end) { r.Context = LogContextKind.None; return true; }
        }
        if (At(s, p, ", client: "u8)) return TryClient(s, p + 10, false, mode, ref r);
        if (At(s, p, ", udp client: "u8)) return TryClient(s, p + 14, true, mode, ref r);
        if (At(s, p, ", resolver: "u8))
        {
            r.Resolver = Seg.FromTo(p + 12, end);
            r.Context = LogContextKind.Resolver;
            return mode == Mode.Lenient || s[(p + 12)..].IndexOf(", "u8) < 0;
        }
        if (r.Action.Present && (At(s, p, ", server: "u8) || At(s, p, ", responder: "u8)))
        {
            // syslog peer / OCSP responder: no client; keep the server text.
            if (At(s, p, ", server: "u8)) r.Server = Seg.FromTo(p + 10, end);
            r.Context = LogContextKind.None;
            return true;
        }
        return false;
    }

    private static bool TryClient(ReadOnlySpan<byte> s, int c, bool udp, Mode mode, ref ParsedRecord r)
    {
        int end = s.Length;
        r.Udp = udp;
        int ce = CommaSpace(s, c);
        var clientText = ce < 0 ? s[c..] : s[c..ce];
        int st = clientText.Length >= 15 ? clientText.IndexOf(" using starttls"u8) : -1;
        if (st >= 0) st += c;
        int q;
        if (st >= 0 && (ce < 0 || st < ce)) { r.Client = Seg.FromTo(c, st); r.StartTls = true; q = st + 15; }
        else if (ce < 0)
        {
            // Only ", client: X": a mail session before login, or a line cut by the length limit.
            r.Client = Seg.FromTo(c, end);
            r.Context = r.Truncated ? LogContextKind.Http : udp ? LogContextKind.Stream : LogContextKind.Mail;
            return true;
        }
        else { r.Client = Seg.FromTo(c, ce); q = ce; }

        if (!At(s, q, ", server: "u8))
        {
            if (mode == Mode.Lenient) { r.Context = LogContextKind.Http; return true; }
            return false;
        }
        int sv = q + 10;
        // The server value ends where a known key follows ", ": a regex server_name may hold ", ".
        int se = end;
        int kind = 0; // 0 end, 1 http key, 2 stream counters, 3 mail login, 4 unquoted upstream
        int k = sv;
        while (true)
        {
            int x = CommaSpace(s, k);
            if (x < 0) break;
            var t = s[x..];
            if (t.StartsWith(", bytes from/to client:"u8)) { se = x; kind = 2; break; }
            if (t.StartsWith(", login: \""u8)) { se = x; kind = 3; break; }
            if (t.StartsWith(", upstream: "u8) && !t.StartsWith(", upstream: \""u8)) { se = x; kind = 4; break; }
            if (HttpKeyAt(s, x, out _) >= 0) { se = x; kind = 1; break; }
            k = x + 2;
        }
        r.Server = Seg.FromTo(sv, se);
        if (kind == 0)
        {
            r.Context = udp ? LogContextKind.Stream : r.StartTls ? LogContextKind.Mail : LogContextKind.Http;
            return true;
        }
        if (kind == 2) return TryCounters(s, se, mode, ref r);
        if (kind == 3 || kind == 4) return TryMail(s, se, mode, ref r);
        if (At(s, se, ", upstream: \""u8))
        {
            int sb = IndexFrom(s, se + 13, "\", bytes from/to client:"u8);
            if (sb >= 0)
            {
                r.Upstream = Seg.FromTo(se + 13, sb);
                return TryCounters(s, sb + 1, mode, ref r);
            }
        }
        if (udp) return false;
        return TryHttp(s, se, mode, ref r);
    }

    private static bool TryCounters(ReadOnlySpan<byte> s, int p, Mode mode, ref ParsedRecord r)
    {
        r.Context = LogContextKind.Stream;
        r.HasCounters = true;
        if (!At(s, p, ", bytes from/to client:"u8)) return mode == Mode.Lenient;
        p += 23;
        if (!ReadPair(s, ref p, out r.BytesClientIn, out r.BytesClientOut)) return mode == Mode.Lenient;
        if (!At(s, p, ", bytes from/to upstream:"u8)) return mode == Mode.Lenient;
        p += 25;
        if (!ReadPair(s, ref p, out r.BytesUpstreamIn, out r.BytesUpstreamOut)) return mode == Mode.Lenient;
        return p == s.Length || mode == Mode.Lenient;
    }

    private static bool ReadPair(ReadOnlySpan<byte> s, ref int p, out long a, out long b)
    {
        a = b = 0;
        int st = p;
        while (p < s.Length && IsDigit(s[p]) && p - st < 19) a = a * 10 + (s[p++] - '0');
        if (p == st || p >= s.Length || s[p] != '/') return false;
        st = ++p;
        while (p < s.Length && IsDigit(s[p]) && p - st < 19) b = b * 10 + (s[p++] - '0');
        return p > st;
    }

    private static bool TryMail(ReadOnlySpan<byte> s, int p, Mode mode, ref ParsedRecord r)
    {
        int end = s.Length;
        r.Context = LogContextKind.Mail;
        if (At(s, p, ", login: \""u8))
        {
            int v = p + 10;
            // The login is the client's text: the last '", upstream: ' ends it.
            int x = s[v..].LastIndexOf("\", upstream: "u8);
            if (x >= 0) { r.Login = new Seg(v, x); p = v + x + 1; }
            else if (end > v && s[end - 1] == '"') { r.Login = Seg.FromTo(v, end - 1); return true; }
            else { r.Login = Seg.FromTo(v, end); return mode == Mode.Lenient; }
        }
        if (p == end) return true;
        if (!At(s, p, ", upstream: "u8)) return mode == Mode.Lenient;
        r.Upstream = Seg.FromTo(p + 12, end);
        return true;
    }

    /// <summary>The last of the HTTP context keys (see <see cref="HttpKeyAt"/>).</summary>
    private const int Referrer = 4;

    /// <summary>
    /// Which of the HTTP context keys, in nginx's order (0 request, 1 subrequest, 2 upstream, 3 host,
    /// 4 referrer), starts at <paramref name="q"/> with its ", " and opening quote (-1: none), and
    /// its length. No key is a prefix of another, so at most one matches; the letter after ", "
    /// picks the one to compare, as a literal.
    /// </summary>
    private static int HttpKeyAt(ReadOnlySpan<byte> s, int q, out int length)
    {
        length = 0;
        if (q + 9 > s.Length || s[q] != ',' || s[q + 1] != ' ') return -1;
        var t = s[q..];
        switch (t[2])
        {
            case (byte)'r':
                if (t.StartsWith(", request: \""u8)) { length = ", request: \""u8.Length; return 0; }
                if (t.StartsWith(", referrer: \""u8)) { length = ", referrer: \""u8.Length; return Referrer; }
                return -1;
            case (byte)'s':
                if (t.StartsWith(", subrequest: \""u8)) { length = ", subrequest: \""u8.Length; return 1; }
                return -1;
            case (byte)'u':
                if (t.StartsWith(", upstream: \""u8)) { length = ", upstream: \""u8.Length; return 2; }
                return -1;
            case (byte)'h':
                if (t.StartsWith(", host: \""u8)) { length = ", host: \""u8.Length; return 3; }
                return -1;
            default:
                return -1;
        }
    }

    private static bool TryHttp(ReadOnlySpan<byte> s, int q, Mode mode, ref ParsedRecord r)
    {
        int end = s.Length;
        int next = 0;
        r.Context = r.StartTls ? LogContextKind.Mail : LogContextKind.Http;
        while (q < end)
        {
            int j = HttpKeyAt(s, q, out var keyLength);
            if (j < next) return false;
            int v = q + keyLength;
            Seg value;
            if (j == Referrer)
            {
                // referrer is last: it runs to the end of the line, quotes and all.
                if (end > v && s[end - 1] == '"') value = Seg.FromTo(v, end - 1);
                else if (mode == Mode.Lenient) value = Seg.FromTo(v, end);
                else return false;
                q = end;
            }
            else
            {
                // The value ends at the first '", <later key>: "'.
                int t = -1, k = v;
                while (t < 0)
                {
                    int x = QuoteCommaSpace(s, k);
                    if (x < 0) break;
                    if (HttpKeyAt(s, x + 1, out _) > j) t = x;
                    k = x + 1;
                }
                if (t >= 0) { value = Seg.FromTo(v, t); q = t + 1; }
                else if (end > v && s[end - 1] == '"') { value = Seg.FromTo(v, end - 1); q = end; }
                else if (mode == Mode.Lenient) { value = Seg.FromTo(v, end); q = end; }
                else return false;
            }
            switch (j)
            {
                case 0: r.Request = value; break;
                case 1: r.Subrequest = value; break;
                case 2: r.Upstream = value; break;
                case 3: r.Host = value; break;
                default: r.Referrer = value; break;
            }
            next = j + 1;
        }
        return true;
    }

    /// <summary>Splits a trailing " (N: text)" errno off the message; returns the message end.</summary>
    private static int SplitErrno(ReadOnlySpan<byte> s, int start, int end, ref ParsedRecord r)
    {
        if (end - start < 6 || s[end - 1] != ')') return end;
        var m = s[start..end];
        int open = m.LastIndexOf((byte)'(');
        if (open < 1 || m[open - 1] != ' ') return end;
        int i = open + 1; int n = 0;
        while (i < m.Length && IsDigit(m[i]) && i - open < 10) n = n * 10 + (m[i++] - '0');
        if (i == open + 1 || i + 1 >= m.Length || m[i] != ':' || m[i + 1] != ' ') return end;
        var text = m[(i + 2)..^1];
        if (text.IndexOf((byte)')') >= 0) return end;
        // "could not be resolved (3: Host not found)" is a resolver code, not an errno.
        if (m[..(open - 1)].EndsWith("could not be resolved"u8)) return end;
        r.Errno = n;
        r.ErrnoText = new Seg(start + i + 2, text.Length);
        return start + open - 1;
    }

    /// <summary>The leading "name(" of the message: the failing call.</summary>
    private static Seg FindSyscall(ReadOnlySpan<byte> s, Seg message)
    {
        var m = message.Of(s);
        if (m.StartsWith("kevent() reported that connect()"u8)) return new Seg(message.Start + 23, 7);
        int i = 0;
        while (i < m.Length && (IsDigit(m[i]) || (uint)((m[i] | 0x20) - 'a') <= 25 || m[i] == '_')) i++;
        if (i == 0 || i >= m.Length || m[i] != '(' || IsDigit(m[0])) return Seg.None;
        return new Seg(message.Start, i);
    }

    /// <summary>Splits the request line into method, URI and protocol; leaves them absent when it does not split.</summary>
    private static void SplitRequest(ReadOnlySpan<byte> s, ref ParsedRecord r)
    {
        int a = r.Request.Start, b = r.Request.End, i = a;
        while (i < b && ((uint)(s[i] - 'A') <= 25 || s[i] == '_' || s[i] == '-')) i++;
        if (i == a || i >= b || s[i] != ' ') return;
        int u = i + 1;
        int sp = s[u..b].IndexOf((byte)' ');
        if (sp < 0) { r.Method = Seg.FromTo(a, i); r.Uri = Seg.FromTo(u, b); return; }
        sp += u;
        var proto = s[(sp + 1)..b];
        if (proto.Length != 8 || !proto.StartsWith("HTTP/"u8) || !IsDigit(proto[5]) || proto[6] != '.' || !IsDigit(proto[7])) return;
        r.Method = Seg.FromTo(a, i); r.Uri = Seg.FromTo(u, sp); r.Protocol = Seg.FromTo(sp + 1, b);
    }
}
