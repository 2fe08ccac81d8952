using System.Globalization;
using System.Text;
using System.Text.Json;
using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Reads a systemd unit's journal with `journalctl -u UNIT -o json` (argument list, timeout):
/// each entry's MESSAGE becomes a line whose envelope carries __REALTIME_TIMESTAMP (UTC µs) and _PID.
/// </summary>
public static class JournalReader
{
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Arguments for journalctl; -Since/-Until become --since/--until @epoch.</summary>
    public static List<string> Arguments(string unit, DateTimeOffset? since, DateTimeOffset? until)
    {
        var args = new List<string> { "-u", unit, "-o", "json", "--no-pager", "-q" };
        if (since is { } s) args.Add("--since=@" + s.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        if (until is { } u) args.Add("--until=@" + (u.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture));
        return args;
    }

    /// <summary>The unit's entries as lines. Throws <see cref="IOException"/> when journalctl is missing or fails.</summary>
    public static IEnumerable<BackendLine> ReadUnit(string unit, DateTimeOffset? since = null, DateTimeOffset? until = null, ReadStats? stats = null, CancellationToken cancel = default)
    {
        var exe = ExternalCommand.Which("journalctl") ?? throw new IOException("journalctl is not installed.");
        var source = "journalctl -u " + unit;
        var failure = (string?)null;
        long n = 0;
        foreach (var json in ExternalCommand.StreamLines(exe, Arguments(unit, since, until), Timeout,
                     (code, err) => { if (code != 0) failure = $"journalctl -u {unit} exited with {code}: {err.Trim()}"; }, cancel))
        {
            n++;
            if (stats is not null) { stats.LinesRead++; stats.BytesRead += json.Length + 1; }
            foreach (var l in FromJson(json, source, n)) yield return l;
        }
        if (failure is not null) throw new IOException(failure);
    }

    /// <summary>One `journalctl -o json` entry as lines (a MESSAGE may hold several).</summary>
    public static IEnumerable<BackendLine> FromJson(string json, string source, long lineNumber)
    {
        string? message = null;
        DateTimeOffset? time = null;
        int? pid = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.TryGetProperty("MESSAGE", out var m))
            {
                // journald stores non-UTF-8 messages as an array of bytes.
                message = m.ValueKind switch
                {
                    JsonValueKind.String => m.GetString(),
                    JsonValueKind.Array => Encoding.UTF8.GetString(m.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray()),
                    _ => null,
                };
            }
            if (root.TryGetProperty("__REALTIME_TIMESTAMP", out var ts) && long.TryParse(ts.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var us))
                time = DateTimeOffset.FromUnixTimeMilliseconds(us / 1000).AddTicks(us % 1000 * 10);
            if (root.TryGetProperty("_PID", out var p) && int.TryParse(p.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var pp))
                pid = pp;
        }
        catch (JsonException) { yield break; }
        if (message is null) yield break;
        foreach (var part in message.Split('\n'))
            yield return new BackendLine(new LogLine(source, lineNumber, part), part.TrimEnd('\r'), time, pid);
    }
}
