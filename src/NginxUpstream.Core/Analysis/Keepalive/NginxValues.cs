using System.Globalization;
using System.Text.RegularExpressions;

namespace NginxUpstream.Analysis.Keepalive;

/// <summary>nginx value grammars (ngx_parse_time, ngx_parse_size/offset), for comparing timeouts and sizes.</summary>
public static class NginxValues
{
    private static readonly Regex TimePart = new(@"(\d+)(ms|y|M|w|d|h|m|s)?", RegexOptions.CultureInvariant);

    /// <summary>"1h30m", "500ms", "60" (seconds), "1m 30s"; null when invalid.</summary>
    public static TimeSpan? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Replace(" ", "");
        var total = 0.0;
        var pos = 0;
        foreach (Match m in TimePart.Matches(s))
        {
            if (m.Index != pos) return null;
            pos += m.Length;
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ms" => n / 1000, "" or "s" => n, "m" => n * 60, "h" => n * 3600, "d" => n * 86400,
                "w" => n * 7 * 86400, "M" => n * 30 * 86400, "y" => n * 365 * 86400, _ => double.NaN,
            };
        }
        return pos == s.Length && pos > 0 ? TimeSpan.FromSeconds(total) : null;
    }

    /// <summary>"1m", "30000000", "512k", "2g"; null when invalid.</summary>
    public static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Trim();
        long mult = 1;
        switch (s[^1])
        {
            case 'k' or 'K': mult = 1024; s = s[..^1]; break;
            case 'm' or 'M': mult = 1024 * 1024; s = s[..^1]; break;
            case 'g' or 'G': mult = 1024L * 1024 * 1024; s = s[..^1]; break;
        }
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n * mult : null;
    }

    public static string FormatTime(TimeSpan t) =>
        t.TotalSeconds >= 1 && t.TotalSeconds == Math.Floor(t.TotalSeconds) ? $"{t.TotalSeconds:0}s" : $"{t.TotalMilliseconds:0}ms";
}
