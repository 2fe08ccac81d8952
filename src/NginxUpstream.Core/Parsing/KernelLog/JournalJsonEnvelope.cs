using System.Globalization;
using System.Text.Json;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// One `journalctl -o json` line. Values are strings (numbers too); MESSAGE is an array of byte
/// numbers when it is not valid UTF-8, null when over 4096 bytes without --all. A kernel entry's
/// time is __REALTIME − (__MONOTONIC − _SOURCE_MONOTONIC): journald's own stamps are receipt
/// times, which lag the kernel under memory pressure (reference §4.4).
/// </summary>
internal static class JournalJsonEnvelope
{
    public static bool TryRead(string line, ref KernelEntry e)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException) { return false; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            if (!root.TryGetProperty("MESSAGE", out var msgEl) && !root.TryGetProperty("__REALTIME_TIMESTAMP", out _)) return false;
            var message = Message(msgEl);
            var transport = Str(root, "_TRANSPORT");
            var facility = Str(root, "SYSLOG_FACILITY");
            var ident = Str(root, "SYSLOG_IDENTIFIER");
            var kernel = transport == "kernel" || (transport is null && facility == "0" && ident == "kernel");
            e = new KernelEntry
            {
                Format = KernelLogFormat.JournalJson, IsKernel = kernel, Ident = ident ?? (kernel ? "kernel" : Str(root, "_COMM")),
                Host = Str(root, "_HOSTNAME"), Message = message ?? "", BootId = Str(root, "_BOOT_ID"),
                Unit = Str(root, "UNIT") ?? Str(root, "USER_UNIT"),
            };
            var real = Micro(root, "__REALTIME_TIMESTAMP");
            var mono = Micro(root, "__MONOTONIC_TIMESTAMP");
            var srcMono = Micro(root, "_SOURCE_MONOTONIC_TIMESTAMP");
            var srcReal = Micro(root, "_SOURCE_REALTIME_TIMESTAMP");
            if (kernel && srcMono is not null)
            {
                e.BootSeconds = srcMono.Value / 1e6;
                var lag = mono - srcMono;
                // A negative lag means the source stamp is not on the receipt clock (BOOTTIME after a suspend): keep the receipt time.
                if (real is not null && lag is >= 0)
                { e.Time = FromMicro(real.Value - lag.Value); e.Basis = TimeBasis.KernelViaJournal; }
                else if (real is not null) { e.Time = FromMicro(real.Value); e.Basis = TimeBasis.JournalReceipt; }
            }
            else if (srcReal is not null) { e.Time = FromMicro(srcReal.Value); e.Basis = TimeBasis.Printed; }
            else if (real is not null) { e.Time = FromMicro(real.Value); e.Basis = kernel ? TimeBasis.JournalReceipt : TimeBasis.Printed; }
            return true;
        }
    }

    private static string? Message(JsonElement el) => el.ValueKind switch
    {
        JsonValueKind.String => el.GetString(),
        JsonValueKind.Array => Bytes(el),
        _ => null,
    };

    private static string? Bytes(JsonElement arr)
    {
        // A repeated field is an array of strings; a binary one an array of byte numbers.
        var bytes = new List<byte>(arr.GetArrayLength());
        foreach (var b in arr.EnumerateArray())
        {
            if (b.ValueKind == JsonValueKind.String) return b.GetString();
            if (b.ValueKind != JsonValueKind.Number || !b.TryGetByte(out var v)) return null;
            bytes.Add(v);
        }
        return KernelText.Decode(bytes.ToArray()).TrimEnd('\n');
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Array ? Message(v) : null : null;

    private static long? Micro(JsonElement root, string name) =>
        Str(root, name) is { } s && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateTimeOffset FromMicro(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * 10);
}
