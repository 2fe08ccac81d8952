using System.Globalization;
using NginxUpstream.Model;
using NginxUpstream.Parsing.BackendLog;

namespace NginxUpstream.Tests.BackendLog;

/// <summary>One row of corpus/backend-logs/expected.tsv.</summary>
public sealed record ExpectedBackendRow(int Index, string File, string Time, string Pid, string Kind, string Detail)
{
    public override string ToString() => $"{File}#{Index} {Kind} {Pid}";
}

/// <summary>
/// The shared backend corpus parsed once, and each expected row aligned in file order with the
/// event it describes (same corpus kind, same subject pid). The corpus uses its own kind words;
/// <see cref="KindMap"/> says which event kinds each stands for.
/// </summary>
public static class BackendCorpus
{
    public static readonly IReadOnlyDictionary<string, BackendEventKind[]> KindMap = new Dictionary<string, BackendEventKind[]>
    {
        ["worker_boot"] = [BackendEventKind.WorkerBooted],
        ["worker_timeout"] = [BackendEventKind.WorkerTimeout, BackendEventKind.RequestTimedOut, BackendEventKind.Harakiri],
        ["worker_signaled"] = [BackendEventKind.WorkerKilled, BackendEventKind.WorkerCrashed],
        ["worker_exit_code"] = [BackendEventKind.WorkerExited],
        ["worker_exit"] = [BackendEventKind.WorkerExited],
        ["worker_recycle"] = [BackendEventKind.MaxRequestsRecycle],
        ["worker_vanished"] = [BackendEventKind.WorkerVanished],
        ["request_exception"] = [BackendEventKind.Error],
        ["request_rejected_limit"] = [BackendEventKind.RequestRejected, BackendEventKind.BodyRejected],
        ["invalid_request"] = [BackendEventKind.RequestRejected],
        ["slow_request"] = [BackendEventKind.SlowRequest],
        ["slow_request_trace"] = [BackendEventKind.SlowRequestTrace],
        ["pool_saturated"] = [BackendEventKind.MaxChildrenReached, BackendEventKind.QueueFull],
        ["client_disconnect"] = [BackendEventKind.ClientDisconnected],
        ["worker_stderr"] = [BackendEventKind.WorkerOutput],
        ["master_start"] = [BackendEventKind.ListenerStarted],
        ["master_reload"] = [BackendEventKind.MasterReload],
    };

    public static readonly BackendLogOptions Options = new() { Zone = TimeZoneInfo.Utc };

    public static IReadOnlyList<ExpectedBackendRow> Rows { get; } = LoadRows();

    private static readonly Dictionary<string, List<BackendEvent>> Events = [];
    private static readonly Dictionary<string, Dictionary<int, BackendEvent?>> Alignment = [];

    public static string PathOf(string file) => TestPaths.Corpus("backend-logs", file);

    private static List<ExpectedBackendRow> LoadRows()
    {
        var rows = new List<ExpectedBackendRow>();
        var lines = File.ReadAllLines(TestPaths.Corpus("backend-logs", "expected.tsv"));
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split('\t');
            rows.Add(new ExpectedBackendRow(i, f[0], f[1], f[2], f[3], f[4]));
        }
        return rows;
    }

    public static List<BackendEvent> EventsOf(string file)
    {
        lock (Events)
        {
            if (!Events.TryGetValue(file, out var list))
                Events[file] = list = BackendLogReader.ReadFile(PathOf(file), Options).ToList();
            return list;
        }
    }

    /// <summary>The event matched to <paramref name="row"/> (null when none).</summary>
    public static BackendEvent? Match(ExpectedBackendRow row)
    {
        lock (Alignment)
        {
            if (!Alignment.TryGetValue(row.File, out var map))
            {
                map = [];
                var events = EventsOf(row.File);
                var cursor = 0;
                foreach (var r in Rows.Where(r => r.File == row.File))
                {
                    var kinds = KindMap[r.Kind];
                    int? pid = r.Pid == "-" ? null : int.Parse(r.Pid, CultureInfo.InvariantCulture);
                    var found = -1;
                    for (var i = cursor; i < events.Count; i++)
                        if (kinds.Contains(events[i].Kind) && events[i].ProcessId == pid) { found = i; break; }
                    map[r.Index] = found < 0 ? null : events[found];
                    if (found >= 0) cursor = found + 1;
                }
                Alignment[row.File] = map;
            }
            return map[row.Index];
        }
    }
}
