using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>
/// The header parser compares the stamp and level a word at a time; it must accept and reject
/// exactly what a byte-by-byte reading of nginx's header grammar does, on valid headers and on
/// headers with any byte changed.
/// </summary>
public class HeaderParseTests
{
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Byte-by-byte reference: "YYYY/MM/DD HH:MM:SS [level] PID#TID: " then an optional "*N ".</summary>
    private static bool Reference(byte[] s, out (int, int, int, int, int, int, NginxLogLevel, int, long, long, int) f)
    {
        f = default;
        if (s.Length < 32) return false;
        const string shape = "dddd/dd/dd dd:dd:dd [";
        for (int k = 0; k < shape.Length; k++)
            if (shape[k] == 'd' ? !IsDigit(s[k]) : s[k] != shape[k]) return false;
        var levels = new (string, NginxLogLevel)[]
        {
            ("error]", NginxLogLevel.Error), ("emerg]", NginxLogLevel.Emerg), ("warn]", NginxLogLevel.Warn), ("info]", NginxLogLevel.Info),
            ("notice]", NginxLogLevel.Notice), ("crit]", NginxLogLevel.Crit), ("alert]", NginxLogLevel.Alert), ("debug]", NginxLogLevel.Debug),
        };
        int i = 21;
        var text = Encoding.Latin1.GetString(s);
        var hit = levels.Where(l => string.CompareOrdinal(text, 21, l.Item1, 0, l.Item1.Length) == 0).ToList();
        if (hit.Count == 0) return false;
        var level = hit[0].Item2;
        i += hit[0].Item1.Length;
        if (i >= s.Length || s[i] != ' ') return false;
        i++;
        long pid = 0; int start = i;
        while (i < s.Length && IsDigit(s[i]) && i - start < 10) pid = pid * 10 + (s[i++] - '0');
        if (i == start || i >= s.Length || s[i] != '#' || pid > int.MaxValue) return false;
        i++;
        long tid = 0; start = i;
        while (i < s.Length && IsDigit(s[i]) && i - start < 19) tid = tid * 10 + (s[i++] - '0');
        if (i == start || i >= s.Length || s[i] != ':') return false;
        i++;
        if (i < s.Length && s[i] == ' ') i++;
        long conn = -1;
        if (i < s.Length && s[i] == '*')
        {
            int j = i + 1; long n = 0;
            while (j < s.Length && IsDigit(s[j]) && j - i < 20) n = n * 10 + (s[j++] - '0');
            if (j > i + 1 && j < s.Length && s[j] == ' ') { conn = n; i = j + 1; }
        }
        int D(int k) => (s[k] - '0') * 10 + (s[k + 1] - '0');
        f = (D(0) * 100 + D(2), D(5), D(8), D(11), D(14), D(17), level, (int)pid, tid, conn, i);
        return true;
    }

    [Fact]
    public void Word_at_a_time_header_parse_equals_the_byte_by_byte_grammar_on_mutated_headers()
    {
        var seeds = new[]
        {
            "2026/11/26 10:00:00 [error] 12#12: *7 recv() failed",
            "2019/01/01 00:00:00 [warn] 1#0: conflicting server name",
            "1999/12/31 23:59:60 [info] 123456#140000000000: *18446744073709 client closed",
            "2026/02/30 07:08:09 [notice] 9#9: signal process started x",
            "2026/11/26 10:00:00 [crit] 3#3: *1 open() failed (13: x)",
            "2026/11/26 10:00:00 [alert] 3#3: worker process exited",
            "2026/11/26 10:00:00 [emerg] 3#3: bind() failed (98: x)",
            "2026/11/26 10:00:00 [debug] 3#3: *5 http keepalive",
            // Numbers of every length around the 8-byte word the parser reads them from.
            "2026/11/26 10:00:00 [error] 1234567#7654321: *12345678 connect() failed",
            "2026/11/26 10:00:00 [info] 12345678#123456789: *1234567 client closed",
            "2026/11/26 10:00:00 [warn] 2147483647#1234567890123456789: *1234567890123456789 x",
            "2026/11/26 10:00:00 [error] 2147483648#1: *12 too big a pid",
            "2026/11/26 10:00:00 [error] 12345678901#1: *1 eleven-digit pid",
            "2026/11/26 10:00:00 [error] 1#12345678901234567890: twenty-digit tid",
            "2026/11/26 10:00:00 [error] 1#1: *12345678901234567890 twenty-digit connection",
            "2026/11/26 10:00:00 [error] 1#1: *123",
            "2026/11/26 10:00:00 [error] 1#1:*1234567 ",
        };
        byte[] interesting = "0123456789/: [*#]ewnicadg\0\xff\x2f\x3a\x20\x5b"u8.ToArray().Concat(new byte[] { 0x00, 0xFF, 0x80, 0xC3, 0x39 + 1, 0x30 - 1, 0x70, 0x3F }).ToArray();
        var rnd = new Random(12345);
        int accepted = 0, rejected = 0;
        foreach (var seed in seeds)
            for (int round = 0; round < 4000; round++)
            {
                var b = Encoding.Latin1.GetBytes(seed);
                int changes = round == 0 ? 0 : 1 + rnd.Next(2);
                for (int c = 0; c < changes; c++) b[rnd.Next(Math.Min(b.Length, 80))] = interesting[rnd.Next(interesting.Length)];
                if (round % 97 == 5) b = b[..rnd.Next(b.Length)];
                var r = new ParsedRecord();
                r.Reset();
                bool got = RecordParser.TryParseHeader(b, ref r, out var body);
                bool want = Reference(b, out var f);
                Assert.True(want == got, $"'{Encoding.Latin1.GetString(b)}': expected {want}, got {got}");
                if (!got) { rejected++; continue; }
                accepted++;
                Assert.Equal(f, (r.Year, r.Month, r.Day, r.Hour, r.Minute, r.Second, r.Level, r.ProcessId, r.ThreadId, r.ConnectionId, body));
            }
        Assert.True(accepted > 5000 && rejected > 5000, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void Digits_read_from_a_word_equal_the_byte_by_byte_reading()
    {
        var rnd = new Random(7);
        var bytes = new byte[8];
        for (int round = 0; round < 200_000; round++)
        {
            for (int k = 0; k < 8; k++)
                bytes[k] = rnd.Next(4) == 0 ? (byte)rnd.Next(256) : (byte)('0' + rnd.Next(10));
            ulong w = BitConverter.ToUInt64(bytes);
            int run = 0;
            while (run < 8 && IsDigit(bytes[run])) run++;
            Assert.Equal(run, RecordParser.DigitRun(w));
            if (run == 0) continue;
            ulong want = 0;
            for (int k = 0; k < run; k++) want = want * 10 + (ulong)(bytes[k] - '0');
            Assert.Equal(want, RecordParser.DigitsValue(w, run));
        }
    }
}
