using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Reads the envelope of each line of one source (reference §9.1): detects the rendering on the
/// first line that has one and keeps it, re-detecting only when a line does not fit (concatenated
/// sources). Hand-written span parsing for the bulk formats (dmesg, kmsg, syslog) keeps the
/// throughput high; the rare ones use regexes.
/// </summary>
internal sealed partial class EnvelopeReader
{
    public KernelLogFormat Format { get; private set; } = KernelLogFormat.Unknown;

    /// <summary>Boot id named by the last journalctl "-- Boot id --" separator.</summary>
    public string? SeparatorBootId { get; private set; }

    /// <summary>The source shows journalctl traits ("-- ... --" banners, zero-padded days): its short stamps are journald receipt times.</summary>
    public bool LooksLikeJournal { get; private set; }

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly HashSet<string> FacilityNames = new(StringComparer.Ordinal)
    {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    };

    [GeneratedRegex(@"^-- Boot ([0-9a-f]{32}) --$")]
    private static partial Regex BootSeparator();

    [GeneratedRegex(@"^([a-z0-9]+)\s*:([a-z]+)\s*: ")]
    private static partial Regex DecodedPrefix();

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:([.,])(\d{1,9}))?(Z|[+-]\d\d:?\d\d)? ")]
    private static partial Regex IsoStamp();

    [GeneratedRegex(@"^[A-Z][a-z]{2} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?) (\S+) ")]
    private static partial Regex FullStamp();

    public LineKind Read(string line, out KernelEntry e)
    {
        e = default;
        if (line.Length == 0) return LineKind.Banner;
        var c = line[0];
        if (c == ' ' || c == '\t')
            return line.AsSpan().Trim().Length == 0 ? LineKind.Banner : LineKind.Continuation;
        if (c == '-' && line.StartsWith("-- ", StringComparison.Ordinal)) return Separator(line);

        if (Format != KernelLogFormat.Unknown && TryFormat(Format, line, ref e)) return LineKind.Entry;
        foreach (var f in Candidates(line))
        {
            if (f == Format) continue;
            if (TryFormat(f, line, ref e)) { Format = f; return LineKind.Entry; }
        }
        if (Format is KernelLogFormat.Unknown or KernelLogFormat.Bare)
        {
            Format = KernelLogFormat.Bare;
            e = new KernelEntry { Format = KernelLogFormat.Bare, IsKernel = true, Message = line.TrimEnd() };
            return LineKind.Entry;
        }
        return LineKind.Malformed;
    }

    private LineKind Separator(string line)
    {
        LooksLikeJournal = true;
        var m = BootSeparator().Match(line);
        if (m.Success) { SeparatorBootId = m.Groups[1].Value; return LineKind.BootSeparator; }
        if (line.StartsWith("-- Reboot --", StringComparison.Ordinal)) { SeparatorBootId = null; return LineKind.BootSeparator; }
        return LineKind.Banner;
    }

    /// <summary>Formats a line may be in, judged from its first characters.</summary>
    private static IEnumerable<KernelLogFormat> Candidates(string line)
    {
        var c = line[0];
        switch (c)
        {
            case '{': yield return KernelLogFormat.JournalJson; break;
            case '<':
                yield return KernelLogFormat.Rfc5424;
                yield return KernelLogFormat.DmesgRaw; // dmesg -r: <N>[ ts] msg
                break;
            case '[':
                yield return KernelLogFormat.JournalShortMonotonic; // only when "host kernel:" follows
                yield return KernelLogFormat.DmesgRaw;
                yield return KernelLogFormat.DmesgCtime;
                break;
            default:
                if (char.IsAsciiDigit(c))
                {
                    yield return KernelLogFormat.Kmsg;
                    yield return KernelLogFormat.DmesgIso;
                    yield return KernelLogFormat.SyslogIso;
                    yield return KernelLogFormat.JournalShortUnix;
                }
                else if (char.IsAsciiLetter(c))
                {
                    yield return KernelLogFormat.SyslogShort;
                    yield return KernelLogFormat.JournalShortFull;
                    // dmesg -x: "kern  :err   : ..." before any of the dmesg time forms.
                    yield return KernelLogFormat.DmesgRaw;
                }
                break;
        }
    }

    private bool TryFormat(KernelLogFormat f, string line, ref KernelEntry e) => f switch
    {
        KernelLogFormat.DmesgRaw or KernelLogFormat.DmesgCtime or KernelLogFormat.DmesgIso => TryDmesg(line, ref e, f),
        KernelLogFormat.Kmsg => TryKmsg(line, ref e),
        KernelLogFormat.SyslogShort => TrySyslogShort(line, ref e),
        KernelLogFormat.SyslogIso => TrySyslogIso(line, ref e),
        KernelLogFormat.JournalShortMonotonic => TryShortMonotonic(line, ref e, requireKernel: Format != KernelLogFormat.JournalShortMonotonic),
        KernelLogFormat.JournalShortUnix => TryShortUnix(line, ref e),
        KernelLogFormat.JournalShortFull => TryShortFull(line, ref e),
        KernelLogFormat.JournalJson => JournalJsonEnvelope.TryRead(line, ref e),
        KernelLogFormat.Rfc5424 => TryRfc5424(line, ref e),
        KernelLogFormat.Bare => false,
        _ => false,
    };

    // ---- dmesg family -------------------------------------------------------------------------

    /// <summary>dmesg raw / -r / -x / -T / --time-format iso. The detected family member is set on the entry.</summary>
    private static bool TryDmesg(string line, ref KernelEntry e, KernelLogFormat want)
    {
        var s = line.AsSpan();
        var kernel = true;
        var offset = 0;
        // dmesg -r: <prio> prefix, facility in the high bits.
        if (s[0] == '<')
        {
            var close = s.IndexOf('>');
            if (close < 2 || close > 4 || !int.TryParse(s[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var prio)) return false;
            if (close + 1 >= s.Length || s[close + 1] != '[') return false;
            kernel = prio >> 3 == 0;
            offset = close + 1;
        }
        else if (char.IsAsciiLetter(s[0]))
        {
            // dmesg -x: "kern  :err   : "
            var m = DecodedPrefix().Match(line);
            if (!m.Success || !FacilityNames.Contains(m.Groups[1].Value)) return false;
            kernel = m.Groups[1].Value == "kern";
            offset = m.Length;
        }
        var rest = s[offset..];
        if (rest.Length > 0 && rest[0] == '[')
        {
            if (TryBracketSeconds(rest, out var secs, out var used))
            {
                e = new KernelEntry
                {
                    Format = KernelLogFormat.DmesgRaw, IsKernel = kernel, BootSeconds = secs,
                    Message = StripCaller(line.Substring(offset + used)),
                };
                return true;
            }
            if (TryCtime(rest, out var local, out used))
            {
                e = new KernelEntry
                {
                    Format = KernelLogFormat.DmesgCtime, IsKernel = kernel, LocalTime = local, YearKnown = true,
                    Basis = TimeBasis.PrintedLocal, Message = line.Substring(offset + used),
                };
                return true;
            }
            return false;
        }
        if (rest.Length > 20 && char.IsAsciiDigit(rest[0]))
        {
            var m = IsoStamp().Match(line, offset);
            if (!m.Success || m.Index != offset || m.Groups[2].Value != "," || !m.Groups[4].Success) return false;
            if (!TryIso(m, out var t)) return false;
            e = new KernelEntry
            {
                Format = KernelLogFormat.DmesgIso, IsKernel = kernel, Time = t, Basis = TimeBasis.Printed,
                Message = line.Substring(offset + m.Length),
            };
            return true;
        }
        return false;
    }

    /// <summary>"[  123.456789] " → seconds and the length consumed (including the space).</summary>
    internal static bool TryBracketSeconds(ReadOnlySpan<char> s, out double seconds, out int used)
    {
        seconds = 0; used = 0;
        var i = 1;
        while (i < s.Length && s[i] == ' ') i++;
        long whole = 0; var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { whole = whole * 10 + (s[i] - '0'); i++; digits++; }
        if (digits == 0 || i >= s.Length || s[i] != '.') return false;
        i++;
        long frac = 0; var fd = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { frac = frac * 10 + (s[i] - '0'); i++; fd++; }
        if (fd == 0 || fd > 9 || i >= s.Length || s[i] != ']') return false;
        i++;
        if (i < s.Length && s[i] == ' ') i++;
        seconds = whole + frac / Math.Pow(10, fd);
        used = i;
        return true;
    }

    /// <summary>Drops the CONFIG_PRINTK_CALLER field "[  T1234] " / "[    C3] ".</summary>
    private static string StripCaller(string msg)
    {
        if (msg.Length < 4 || msg[0] != '[') return msg;
        var close = msg.IndexOf(']');
        if (close < 2 || close > 12) return msg;
        var inner = msg.AsSpan(1, close - 1).TrimStart(' ');
        if (inner.Length < 2 || (inner[0] != 'T' && inner[0] != 'C')) return msg;
        foreach (var ch in inner[1..]) if (!char.IsAsciiDigit(ch)) return msg;
        return close + 1 < msg.Length && msg[close + 1] == ' ' ? msg[(close + 2)..] : msg[(close + 1)..];
    }

    /// <summary>"[Sat Jun 27 10:50:46 2026] " (ctime, day space-padded).</summary>
    private static bool TryCtime(ReadOnlySpan<char> s, out DateTime local, out int used)
    {
        local = default; used = 0;
        var close = s.IndexOf(']');
        if (close < 20 || close > 40) return false;
        var inner = s[1..close];
        var sp = inner.IndexOf(' ');
        if (sp < 1) return false; // weekday (locale dependent: skipped)
        var rest = inner[(sp + 1)..].TrimStart(' ');
        if (rest.Length < 20) return false;
        var mon = MonthIndex(rest[..3]);
        if (mon == 0 || rest[3] != ' ') return false;
        var r2 = rest[4..].TrimStart(' ');
        var sp2 = r2.IndexOf(' ');
        if (sp2 < 1 || !int.TryParse(r2[..sp2], NumberStyles.None, CultureInfo.InvariantCulture, out var day)) return false;
        var r3 = r2[(sp2 + 1)..];
        if (r3.Length < 13 || !TryClock(r3, out var h, out var mi, out var sec) || r3[8] != ' ') return false;
        if (!int.TryParse(r3[9..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return false;
        if (!TryDate(year, mon, day, h, mi, sec, out local)) return false;
        used = close + 1 + (close + 1 < s.Length && s[close + 1] == ' ' ? 1 : 0);
        return true;
    }

    // ---- /dev/kmsg ------------------------------------------------------------------------------

    private static bool TryKmsg(string line, ref KernelEntry e)
    {
        var s = line.AsSpan();
        var semi = s.IndexOf(';');
        if (semi < 7) return false;
        var head = s[..semi];
        var c1 = head.IndexOf(',');
        if (c1 < 1 || !int.TryParse(head[..c1], NumberStyles.None, CultureInfo.InvariantCulture, out var prio)) return false;
        var h2 = head[(c1 + 1)..];
        var c2 = h2.IndexOf(',');
        if (c2 < 1 || !ulong.TryParse(h2[..c2], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
        var h3 = h2[(c2 + 1)..];
        var c3 = h3.IndexOf(',');
        var usecText = c3 < 0 ? h3 : h3[..c3]; // kernel 3.5 has no flags field
        if (!ulong.TryParse(usecText, NumberStyles.None, CultureInfo.InvariantCulture, out var usec)) return false;
        e = new KernelEntry
        {
            Format = KernelLogFormat.Kmsg, IsKernel = prio >> 3 == 0, BootSeconds = usec / 1e6,
            Message = KernelText.UnescapeKmsg(line[(semi + 1)..]),
        };
        return true;
    }

    // ---- syslog-like: timestamp host ident[pid]: message ------------------------------------------

    /// <summary>RFC 3164 / journalctl short / short-precise: "Jun 27 10:50:46[.uuuuuu] host tag: msg".</summary>
    private bool TrySyslogShort(string line, ref KernelEntry e)
    {
        var s = line.AsSpan();
        if (s.Length < 17 || s[3] != ' ' || s[6] != ' ') return false;
        var mon = MonthIndex(s[..3]);
        if (mon == 0) return false;
        var d1 = s[4]; var d2 = s[5];
        if (!(d1 == ' ' || char.IsAsciiDigit(d1)) || !char.IsAsciiDigit(d2)) return false;
        var day = (d1 == ' ' ? 0 : d1 - '0') * 10 + (d2 - '0');
        if (d1 == '0') LooksLikeJournal = true; // journalctl pads the day with 0 (%d), rsyslog with a space (%e)
        if (!TryClock(s[7..], out var h, out var mi, out var sec)) return false;
        var i = 15;
        var ticks = 0L;
        if (i < s.Length && s[i] == '.')
        {
            var j = i + 1; long frac = 0; var fd = 0;
            while (j < s.Length && char.IsAsciiDigit(s[j])) { frac = frac * 10 + (s[j] - '0'); j++; fd++; }
            if (fd == 0 || fd > 7) return false;
            ticks = frac * (long)Math.Pow(10, 7 - fd);
            i = j;
        }
        if (i >= s.Length || s[i] != ' ') return false;
        // Year unknown: keep month/day/time in a leap year so Feb 29 survives; the year is set later.
        if (!TryDate(2000, mon, day, h, mi, sec, out var local)) return false;
        e = new KernelEntry
        {
            Format = KernelLogFormat.SyslogShort, LocalTime = local.AddTicks(ticks), YearKnown = false,
            Basis = TimeBasis.SyslogReceipt,
        };
        return HostAndTag(line, i + 1, ref e);
    }

    private static bool TrySyslogIso(string line, ref KernelEntry e)
    {
        var m = IsoStamp().Match(line);
        if (!m.Success || m.Groups[2].Value == ",") return false;
        if (!TryIso(m, out var t, out var local)) return false;
        e = new KernelEntry { Format = KernelLogFormat.SyslogIso, Basis = TimeBasis.Printed };
        if (t is not null) e.Time = t;
        else { e.LocalTime = local; e.YearKnown = true; e.Basis = TimeBasis.PrintedLocal; }
        return HostAndTag(line, m.Length, ref e);
    }

    private static bool TryShortMonotonic(string line, ref KernelEntry e, bool requireKernel)
    {
        if (!TryBracketSeconds(line, out var secs, out var used)) return false;
        var entry = new KernelEntry { Format = KernelLogFormat.JournalShortMonotonic, BootSeconds = secs };
        if (!HostAndTag(line, used, ref entry) || entry.Ident is null) return false;
        if (requireKernel && entry.Ident != "kernel") return false;
        e = entry;
        return true;
    }

    private static bool TryShortUnix(string line, ref KernelEntry e)
    {
        var sp = line.IndexOf(' ');
        if (sp < 3 || !decimal.TryParse(line.AsSpan(0, sp), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var epoch)) return false;
        if (!line.AsSpan(0, sp).Contains('.')) return false;
        var t = DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(epoch)).AddTicks((long)((epoch - Math.Floor(epoch)) * TimeSpan.TicksPerSecond));
        e = new KernelEntry { Format = KernelLogFormat.JournalShortUnix, Time = t, Basis = TimeBasis.Printed };
        return HostAndTag(line, sp + 1, ref e);
    }

    private static bool TryShortFull(string line, ref KernelEntry e)
    {
        var m = FullStamp().Match(line);
        if (!m.Success) return false;
        if (!DateTime.TryParseExact(m.Groups[1].Value, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        e = new KernelEntry { Format = KernelLogFormat.JournalShortFull };
        var zone = m.Groups[2].Value;
        if (zone is "UTC" or "GMT") { e.Time = new DateTimeOffset(local, TimeSpan.Zero); e.Basis = TimeBasis.Printed; }
        else { e.LocalTime = local; e.YearKnown = true; e.Basis = TimeBasis.PrintedLocal; } // zone abbreviations are ambiguous: -TimeZone decides
        return HostAndTag(line, m.Length, ref e);
    }

    /// <summary>"host tag[pid]: message"; a kernel tag's message may start with the printk "[ts] ".</summary>
    private static bool HostAndTag(string line, int start, ref KernelEntry e)
    {
        var s = line.AsSpan(start);
        var sp = s.IndexOf(' ');
        if (sp < 1) return false;
        e.Host = line.Substring(start, sp);
        var tagStart = start + sp + 1;
        var t = line.AsSpan(tagStart);
        var i = 0;
        while (i < t.Length && t[i] != '[' && t[i] != ':' && t[i] != ' ') i++;
        var identLen = i;
        if (i < t.Length && t[i] == '[')
        {
            var close = t.IndexOf(']');
            if (close < 0) return false;
            i = close + 1;
        }
        if (identLen > 0 && i < t.Length && t[i] == ':')
        {
            e.Ident = line.Substring(tagStart, identLen);
            i++;
            if (i < t.Length && t[i] == ' ') i++;
            e.Message = line.Substring(tagStart + i);
        }
        else
        {
            e.Ident = null; // no tag: "last message repeated", "-- MARK --"
            e.Message = line.Substring(tagStart);
        }
        e.IsKernel = e.Ident == "kernel";
        if (e.IsKernel && e.Message.Length > 0 && e.Message[0] == '[' && TryBracketSeconds(e.Message, out var secs, out var used))
        {
            // rsyslog < 8.2312 keeps the printk "[ts] " in kern.log lines.
            e.BootSeconds = secs;
            e.Message = e.Message[used..];
        }
        return true;
    }

    // ---- RFC 5424 ------------------------------------------------------------------------------------

    private static bool TryRfc5424(string line, ref KernelEntry e)
    {
        var s = line.AsSpan();
        var close = s.IndexOf('>');
        if (close < 2 || close > 4 || !int.TryParse(s[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var pri)) return false;
        if (s.Length < close + 3 || s[close + 1] != '1' || s[close + 2] != ' ') return false;
        var pos = close + 3;
        string? Next()
        {
            if (pos >= line.Length) return null;
            var sp = line.IndexOf(' ', pos);
            var tok = sp < 0 ? line[pos..] : line[pos..sp];
            pos = sp < 0 ? line.Length : sp + 1;
            return tok;
        }
        var ts = Next(); var host = Next(); var app = Next(); Next(); Next();
        if (ts is null || host is null || app is null) return false;
        // Structured data: "-" or one or more [..] elements (\] escapes a bracket inside).
        if (pos < line.Length && line[pos] == '[')
        {
            while (pos < line.Length && line[pos] == '[')
            {
                var j = pos + 1;
                while (j < line.Length && !(line[j] == ']' && line[j - 1] != '\\')) j++;
                pos = j + 1;
            }
            if (pos < line.Length && line[pos] == ' ') pos++;
        }
        else if (pos < line.Length && line[pos] == '-') pos = Math.Min(line.Length, pos + 2);
        var msg = pos < line.Length ? line[pos..] : "";
        if (msg.StartsWith('\uFEFF')) msg = msg[1..];
        e = new KernelEntry
        {
            Format = KernelLogFormat.Rfc5424, Host = host == "-" ? null : host, Ident = app == "-" ? null : app,
            IsKernel = pri >> 3 == 0 && (app == "kernel" || app == "-"), Message = msg,
        };
        if (ts != "-")
        {
            var m = IsoStamp().Match(ts + " ");
            if (!m.Success || !TryIso(m, out var t, out var local)) return false;
            if (t is not null) { e.Time = t; e.Basis = TimeBasis.Printed; }
            else { e.LocalTime = local; e.YearKnown = true; e.Basis = TimeBasis.PrintedLocal; }
        }
        if (e.IsKernel && msg.Length > 0 && msg[0] == '[' && TryBracketSeconds(msg, out var secs, out var used))
        {
            e.BootSeconds = secs;
            e.Message = msg[used..];
        }
        return true;
    }

    // ---- shared pieces -------------------------------------------------------------------------------

    private static bool TryIso(Match m, out DateTimeOffset t)
    {
        t = default;
        if (!TryIso(m, out var z, out _) || z is null) return false;
        t = z.Value;
        return true;
    }

    private static bool TryIso(Match m, out DateTimeOffset? t, out DateTime local)
    {
        t = null;
        if (!DateTime.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out local)) return false;
        if (m.Groups[3].Success)
        {
            var f = m.Groups[3].Value;
            if (f.Length > 7) f = f[..7];
            local = local.AddTicks(long.Parse(f, CultureInfo.InvariantCulture) * (long)Math.Pow(10, 7 - f.Length));
        }
        if (m.Groups[4].Success)
        {
            var z = m.Groups[4].Value;
            TimeSpan off;
            if (z == "Z") off = TimeSpan.Zero;
            else
            {
                var digits = z[1..].Replace(":", "");
                off = new TimeSpan(int.Parse(digits[..2], CultureInfo.InvariantCulture), int.Parse(digits[2..], CultureInfo.InvariantCulture), 0);
                if (z[0] == '-') off = -off;
            }
            t = new DateTimeOffset(local, off);
        }
        return true;
    }

    private static int MonthIndex(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < 12; i++) if (s.SequenceEqual(Months[i])) return i + 1;
        return 0;
    }

    /// <summary>"HH:MM:SS" at the start of <paramref name="s"/>.</summary>
    private static bool TryClock(ReadOnlySpan<char> s, out int h, out int m, out int sec)
    {
        h = m = sec = 0;
        if (s.Length < 8 || s[2] != ':' || s[5] != ':') return false;
        for (var k = 0; k < 8; k++) if (k != 2 && k != 5 && !char.IsAsciiDigit(s[k])) return false;
        h = (s[0] - '0') * 10 + (s[1] - '0');
        m = (s[3] - '0') * 10 + (s[4] - '0');
        sec = (s[6] - '0') * 10 + (s[7] - '0');
        return h < 24 && m < 60 && sec < 61;
    }

    private static bool TryDate(int y, int mon, int d, int h, int mi, int s, out DateTime dt)
    {
        dt = default;
        if (d < 1 || d > DateTime.DaysInMonth(y, mon)) return false;
        dt = new DateTime(y, mon, d, h, mi, Math.Min(s, 59), DateTimeKind.Unspecified);
        return true;
    }
}
