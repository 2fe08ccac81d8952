using System.Globalization;
using System.Text.RegularExpressions;
using NginxUpstream.Model;
using NginxUpstream.Sources;
using NginxUpstream.Time;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Turns the lines of ONE source (a file, a command's output, pipeline text) into
/// <see cref="OomKill"/> and <see cref="ProcessCrash"/> records, in source order: one OomKill per
/// kill (header, summary, victim and reaper lines grouped; duplicates by boot and pid dropped),
/// userspace killers and systemd results, and crash lines. Feed it with <see cref="Push"/>, then
/// call <see cref="Complete"/>. Not thread-safe; one instance per source.
/// </summary>
public sealed class KernelEventParser
{
    /// <summary>How long (seconds) a kill waits for its oom_reaper line, and an OOM block stays current.</summary>
    private const double ReaperWindow = 10;
    private const double BlockWindow = 30;
    /// <summary>Two victim lines of one pid within this many seconds are one kill.</summary>
    private const double DedupWindow = 60;

    private readonly string _source;
    private readonly KernelLogOptions _o;
    private readonly ReadStats _stats;
    private readonly EnvelopeReader _reader = new();
    private readonly List<object> _queue = new(); // LogRecord or PendingKill, in source order
    private readonly Dictionary<(string Boot, int Pid), (double? Clock, int Block)> _killed = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    private OomBlock _block = new();
    private int _blockSeq;
    private int _bootIndex;
    private string? _bootId;
    private double? _lastBootSeconds;
    private double? _clock;
    private DateTimeOffset? _anchor;
    private bool _anchorRead;
    private double? _uptime;
    private long _entries;

    public KernelEventParser(string source, KernelLogOptions? options = null, ReadStats? stats = null)
    {
        _source = source;
        _o = options ?? new KernelLogOptions();
        _stats = stats ?? new ReadStats();
    }

    /// <summary>The format detected so far.</summary>
    public KernelLogFormat Format => _reader.Format;

    /// <summary>journalctl short output hid this many kernel lines as "[NB blob data]".</summary>
    public int HiddenBlobs { get; private set; }

    /// <summary>Feeds one physical line; completed records are appended to <paramref name="output"/>.</summary>
    public void Push(string text, long lineNumber, List<LogRecord> output)
    {
        var kind = _reader.Read(text, out var e);
        switch (kind)
        {
            case LineKind.Continuation: _stats.Skip("continuation of a multi-line record"); return;
            case LineKind.Banner: _stats.Skip("banner or blank line"); return;
            case LineKind.Malformed: _stats.Skip($"not a {_reader.Format} line"); return;
            case LineKind.BootSeparator:
                NewBoot(_reader.SeparatorBootId);
                _stats.Skip("boot separator");
                Release(output, all: true);
                return;
        }
        _entries++;
        TrackBoot(ref e, output);
        _clock = e.BootSeconds ?? (e.Time is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : e.LocalTime is { } l ? (l - DateTime.UnixEpoch).TotalSeconds : _clock);

        var before = _queue.Count;
        if (e.IsKernel) Kernel(ref e, text, lineNumber);
        if ((!e.IsKernel || e.Format == KernelLogFormat.Bare) && _queue.Count == before) Userspace(ref e, text, lineNumber);
        if (_queue.Count == before) _stats.Skip(e.IsKernel ? "kernel line that is no OOM kill or crash" : "userspace line that is no OOM or crash report");
        Release(output, all: false);
    }

    /// <summary>Convenience for a <see cref="LogLine"/>.</summary>
    public void Push(LogLine line, List<LogRecord> output) => Push(line.Text, line.LineNumber, output);

    /// <summary>End of input: releases every record still waiting for a reaper line.</summary>
    public void Complete(List<LogRecord> output)
    {
        CloseBlock();
        Release(output, all: true);
    }

    // ---- boots -----------------------------------------------------------------------------------

    private string BootKey => _bootId ?? "#" + _bootIndex.ToString(CultureInfo.InvariantCulture);

    private void NewBoot(string? id)
    {
        CloseBlock();
        _bootIndex++;
        _bootId = id;
        _lastBootSeconds = null;
    }

    private void TrackBoot(ref KernelEntry e, List<LogRecord> output)
    {
        if (e.Format == KernelLogFormat.JournalJson)
        {
            if (e.BootId != _bootId) { NewBoot(e.BootId); Release(output, all: true); }
            return;
        }
        if (_reader.SeparatorBootId is { } sep && _bootId is null && _bootIndex > 0) _bootId = sep;
        if (e.BootSeconds is { } secs)
        {
            // printk time restarts at 0 on each boot: a decrease, or "Linux version" at 0, starts a new boot.
            if (_lastBootSeconds is { } last && (secs + 1 < last || (secs < 1 && last >= 1 && e.Message.StartsWith("Linux version", StringComparison.Ordinal))))
            {
                NewBoot(null);
                Release(output, all: true);
            }
            _lastBootSeconds = secs;
        }
        else if (e.IsKernel && e.Message.StartsWith("Linux version ", StringComparison.Ordinal) && _entries > 1)
        {
            NewBoot(null);
            Release(output, all: true);
        }
        if (e.BootId is null && _bootId is not null) e.BootId = _bootId;
    }

    // ---- kernel lines ------------------------------------------------------------------------------

    private void Kernel(ref KernelEntry e, string line, long n)
    {
        var m = e.Message;
        var nl = m.IndexOf('\n');
        if (nl >= 0) m = m[..nl];
        if (m.Length == 0) return;

        if (_block.ExpectCpu && m.StartsWith("CPU: ", StringComparison.Ordinal))
        {
            _block.ExpectCpu = false;
            var cm = KernelRules.CpuLine().Match(m);
            if (cm.Success) _block.HeaderPid = Int(cm.Groups["pid"]);
            return;
        }
        if (m.Contains("oom-killer: ", StringComparison.Ordinal)) { Header(m); return; }
        if (m.StartsWith("oom-kill:", StringComparison.Ordinal)) { Summary(m, ref e, line, n); return; }
        if (m.Contains("Killed process ", StringComparison.Ordinal)) { Victim(m, ref e, line, n); return; }
        if (m.Contains("ill process ", StringComparison.Ordinal)) { Candidate(m); return; }
        if (m.StartsWith("Task", StringComparison.Ordinal)) { TaskIn(m); return; }
        if (m.StartsWith("oom_reaper: ", StringComparison.Ordinal)) { Reaper(m); return; }
        if (m.Contains("]: segfault at ", StringComparison.Ordinal)) { Segfault(m, ref e, line, n); return; }
        if (m.Contains(" general protection", StringComparison.Ordinal) || m.Contains(" trap ", StringComparison.Ordinal)) { Trap(m, ref e, line, n); return; }
        if (m[0] == '[' && m.EndsWith(" blob data]", StringComparison.Ordinal) && KernelRules.Blob().IsMatch(m)) Blob(ref e, line, n);
    }

    private bool BlockCurrent => _block.Clock is null || _clock is null || Math.Abs(_clock.Value - _block.Clock.Value) <= BlockWindow;

    private void Header(string m)
    {
        var h = KernelRules.Header().Match(m);
        if (!h.Success) return;
        CloseBlock();
        _block = new OomBlock
        {
            Id = ++_blockSeq, Clock = _clock, HeaderComm = h.Groups["comm"].Success ? h.Groups["comm"].Value : null,
            Gfp = h.Groups["gfp"].Value, Order = h.Groups["order"].Success ? Int(h.Groups["order"]) : null, ExpectCpu = true,
        };
    }

    private void Summary(string m, ref KernelEntry e, string line, long n)
    {
        var s = OomSummary.Parse(m);
        if (s is null) { _stats.Skip("oom-kill: summary cut short"); return; }
        if (!BlockCurrent) _block = new OomBlock { Id = ++_blockSeq, Clock = _clock };
        (s.Time, s.Basis) = ResolveTime(ref e);
        s.LineNumber = n; s.Line = line; s.BootSeconds = e.BootSeconds; s.Host = e.Host; s.BootId = e.BootId;
        _block.Summaries[s.Pid!.Value] = s;
        _block.Clock ??= _clock;
    }

    private void Candidate(string m)
    {
        var c = KernelRules.Candidate().Match(m);
        if (!c.Success) return;
        if (!BlockCurrent) _block = new OomBlock { Id = ++_blockSeq, Clock = _clock };
        _block.CandidateContext = c.Groups["ctx"].Value;
        _block.CandidatePid = Int(c.Groups["pid"]);
        _block.CandidateComm = c.Groups["comm"].Value;
        _block.CandidateScore = long.Parse(c.Groups["score"].Value, CultureInfo.InvariantCulture);
    }

    private void TaskIn(string m)
    {
        if (m.StartsWith("Tasks in ", StringComparison.Ordinal))
        {
            var g = KernelRules.GroupKill().Match(m);
            if (!g.Success) return;
            if (!BlockCurrent) _block = new OomBlock { Id = ++_blockSeq, Clock = _clock };
            _block.GroupCgroup = g.Groups["cg"].Value;
            _block.GroupClock = _clock;
            return;
        }
        var t = KernelRules.TaskIn().Match(m);
        if (!t.Success) return;
        if (!BlockCurrent) _block = new OomBlock { Id = ++_blockSeq, Clock = _clock };
        _block.TaskInTask = t.Groups["task"].Value;
        _block.TaskInLimit = t.Groups["limit"].Value;
    }

    private void Victim(string m, ref KernelEntry e, string line, long n)
    {
        var v = KernelRules.Victim().Match(m);
        if (!v.Success) v = KernelRules.VictimRhel7().Match(m);
        if (!v.Success) v = KernelRules.VictimRhel6().Match(m);
        if (!v.Success && _block.HeaderComm is not null && BlockCurrent) v = KernelRules.VictimOld().Match(m);
        if (!v.Success) return;
        if (!BlockCurrent) _block = new OomBlock { Id = ++_blockSeq, Clock = _clock };
        var b = _block;
        var pid = Int(v.Groups["pid"])!.Value;
        var comm = v.Groups["comm"].Value;
        var ctx = v.Groups["ctx"].Success ? v.Groups["ctx"].Value : null;
        b.Summaries.TryGetValue(pid, out var sum);

        // memory.oom.group: every kill after the announcement is a group member, until the next header.
        var group = b.GroupCgroup is not null && (b.GroupClock is null || _clock is null || Math.Abs(_clock.Value - b.GroupClock.Value) <= 1);
        var kind = group ? OomKillKind.MemcgGroup
            : ctx is not null ? KindOf(ctx)
            : b.CandidateContext is not null ? KindOf(b.CandidateContext)
            : sum is not null ? (sum.OomMemcg is not null || sum.Constraint == "memcg" ? OomKillKind.Memcg : OomKillKind.Global)
            : b.TaskInTask is not null ? OomKillKind.Memcg
            : OomKillKind.Unknown;

        var key = (BootKey, pid);
        if (_killed.TryGetValue(key, out var prev) &&
            (prev.Block == b.Id || prev.Clock is null || _clock is null || Math.Abs(_clock.Value - prev.Clock.Value) <= DedupWindow))
        {
            _stats.Skip("repeated victim line of one kill (memory.oom.group)");
            return;
        }
        _killed[key] = (_clock, b.Id);
        b.Victims.Add(pid);

        var (time, basis) = ResolveTime(ref e);
        var taskCg = sum?.TaskMemcg ?? (group ? b.GroupCgroup : null) ?? b.TaskInTask;
        var memCg = sum?.OomMemcg ?? (group ? b.GroupCgroup : null) ?? b.TaskInLimit;
        var constraint = sum?.Constraint ?? (kind is OomKillKind.Memcg or OomKillKind.MemcgGroup ? "memcg" : null);
        var uid = Int(v.Groups["uid"]) ?? sum?.Uid;
        var entry = e;
        var scoredPid = b.CandidatePid; var scoredComm = b.CandidateComm; var score = b.CandidateScore;
        var trig = b.HeaderComm; var trigPid = b.HeaderPid; var order = b.Order; var gfp = b.Gfp;
        OomKill Build(bool reaped) => new()
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootSeconds = entry.BootSeconds,
            BootId = entry.BootId, HostName = entry.Host, Killer = OomKiller.Kernel, ReportedBy = OomKiller.Kernel, Kind = kind,
            ProcessId = pid, ProcessName = comm, Uid = uid, Constraint = constraint, MemoryCgroup = memCg, TaskCgroup = taskCg,
            Unit = UnitOf(taskCg), AnonRssKb = Long(v.Groups["anon"]), FileRssKb = Long(v.Groups["file"]),
            ShmemRssKb = Long(v.Groups["shmem"]), TotalVmKb = Long(v.Groups["vm"]), PageTablesKb = Long(v.Groups["pgt"]),
            OomScoreAdj = Int(v.Groups["adj"]), TriggeredBy = trig, TriggeredByProcessId = trigPid, Order = order, GfpMask = gfp,
            ScoredProcessId = scoredPid, ScoredProcessName = scoredComm, OomScore = score, Signal = "SIGKILL", Reaped = reaped,
        };
        _queue.Add(new PendingKill { Build = Build, Clock = _clock, Pid = pid });
        // The candidate and "Task in" lines describe this kill only.
        b.CandidateContext = null; b.CandidatePid = null; b.CandidateComm = null; b.CandidateScore = null;
        b.TaskInTask = null; b.TaskInLimit = null;
    }

    private static OomKillKind KindOf(string ctx) =>
        ctx.StartsWith("Memory cgroup", StringComparison.Ordinal) ? OomKillKind.Memcg : OomKillKind.Global;

    private void Reaper(string m)
    {
        var r = KernelRules.Reaper().Match(m);
        if (!r.Success) return;
        var pid = Int(r.Groups["pid"]);
        for (var i = _queue.Count - 1; i >= 0; i--)
            if (_queue[i] is PendingKill p && p.Pid == pid && !p.Reaped) { p.Reaped = true; p.Done = true; return; }
    }

    /// <summary>Ends the current OOM block; an oom-kill: summary that no victim line followed becomes a lower-confidence kill (§10).</summary>
    private void CloseBlock()
    {
        foreach (var s in _block.Summaries.Values)
        {
            if (_block.Victims.Contains(s.Pid!.Value)) continue;
            var key = (s.BootId ?? BootKey, s.Pid.Value);
            if (_killed.ContainsKey(key)) continue;
            _killed[key] = (null, _block.Id);
            var kind = s.OomMemcg is not null || s.Constraint == "memcg" ? OomKillKind.Memcg : s.Global ? OomKillKind.Global : OomKillKind.Unknown;
            var b = _block;
            _queue.Add(new PendingKill
            {
                Pid = s.Pid.Value, Done = true,
                Build = _ => new OomKill
                {
                    Source = _source, LineNumber = s.LineNumber, Line = s.Line, Time = s.Time, TimeBasis = s.Basis, BootSeconds = s.BootSeconds,
                    BootId = s.BootId, HostName = s.Host, Killer = OomKiller.Kernel, ReportedBy = OomKiller.Kernel, Kind = kind,
                    ProcessId = s.Pid, ProcessName = s.Task, Uid = s.Uid, Constraint = s.Constraint, MemoryCgroup = s.OomMemcg,
                    TaskCgroup = s.TaskMemcg, Unit = UnitOf(s.TaskMemcg), TriggeredBy = b.HeaderComm, TriggeredByProcessId = b.HeaderPid,
                    Order = b.Order, GfpMask = b.Gfp, Signal = "SIGKILL", SummaryOnly = true,
                },
            });
        }
        _block = new OomBlock { Id = ++_blockSeq };
    }

    // ---- crashes -----------------------------------------------------------------------------------

    private void Segfault(string m, ref KernelEntry e, string line, long n)
    {
        var s = KernelRules.Segfault().Match(m);
        if (!s.Success) return;
        var (time, basis) = ResolveTime(ref e);
        _queue.Add(new ProcessCrash
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootSeconds = e.BootSeconds, BootId = e.BootId,
            HostName = e.Host, Kind = CrashKind.Segfault, ProcessId = Int(s.Groups["pid"]), ProcessName = s.Groups["comm"].Value,
            Signal = "SIGSEGV", FaultAddress = s.Groups["addr"].Value, InstructionPointer = s.Groups["ip"].Value,
            ErrorCode = s.Groups["err"].Value, Module = s.Groups["mod"].Success ? s.Groups["mod"].Value : null,
            Detail = SegfaultDetail(s.Groups["err"].Value),
        });
    }

    /// <summary>x86 page-fault error code bits (reference §3.1).</summary>
    private static string? SegfaultDetail(string err)
    {
        if (!int.TryParse(err, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)) return null;
        var what = (code & 16) != 0 ? "instruction fetch" : (code & 2) != 0 ? "write" : "read";
        var where = (code & 1) != 0 ? "a page without the needed permission" : "an unmapped page";
        return $"{((code & 4) != 0 ? "user-mode" : "kernel-mode")} {what} of {where}";
    }

    private void Trap(string m, ref KernelEntry e, string line, long n)
    {
        var t = KernelRules.Trap().Match(m);
        if (!t.Success) return;
        var (time, basis) = ResolveTime(ref e);
        var gp = t.Groups["gp"].Success;
        var trap = gp ? null : t.Groups["trap"].Value;
        _queue.Add(new ProcessCrash
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootSeconds = e.BootSeconds, BootId = e.BootId,
            HostName = e.Host, Kind = gp ? CrashKind.GeneralProtection : CrashKind.Trap, ProcessId = Int(t.Groups["pid"]),
            ProcessName = t.Groups["comm"].Value, Signal = gp ? "SIGSEGV" : KernelRules.TrapSignal(trap!), Trap = trap,
            InstructionPointer = t.Groups["ip"].Value, ErrorCode = t.Groups["err"].Value,
            Module = t.Groups["mod"].Success ? t.Groups["mod"].Value : null, Detail = gp ? "general protection fault" : "trap " + trap,
        });
    }

    private void Blob(ref KernelEntry e, string line, long n)
    {
        HiddenBlobs++;
        Warn("blob", "journalctl short output hides kernel messages that are not valid UTF-8 as '[NB blob data]' (a crash or OOM line of a process whose name has a non-UTF-8 byte); read the journal with 'journalctl -k -o json' or '--all' to see them.");
        var (time, basis) = ResolveTime(ref e);
        _queue.Add(new ProcessCrash
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootSeconds = e.BootSeconds, BootId = e.BootId,
            HostName = e.Host, Kind = CrashKind.HiddenMessage,
            Detail = "journalctl hid a non-UTF-8 kernel message here; read it with 'journalctl -k -o json' or 'journalctl -k --all'",
        });
    }

    // ---- userspace ---------------------------------------------------------------------------------

    private void Userspace(ref KernelEntry e, string line, long n)
    {
        var m = e.Message;
        if (m.Length == 0) return;
        var ident = e.Ident;
        var bare = e.Format == KernelLogFormat.Bare;
        if (ident == "systemd" || bare)
        {
            if (m.EndsWith("OOM killer.", StringComparison.Ordinal) || m.EndsWith("in this unit.", StringComparison.Ordinal))
            {
                var u = UserspaceRules.UnitOom().Match(m);
                if (u.Success) { UnitKill(ref e, line, n, u.Groups["unit"].Value, OomKillKind.SystemdUnitOom, OomKiller.Kernel); return; }
            }
            if (m.EndsWith("'oom-kill'.", StringComparison.Ordinal))
            {
                var u = UserspaceRules.UnitFailedOom().Match(m);
                if (u.Success) { UnitKill(ref e, line, n, u.Groups["unit"].Value, OomKillKind.SystemdUnitFailed, OomKiller.Systemd); return; }
            }
            if (m.Contains("ain process exited, code=", StringComparison.Ordinal))
            {
                var k = UserspaceRules.MainKilled().Match(m);
                if (k.Success) { MainKilled(ref e, line, n, k); return; }
            }
        }
        if (ident == "systemd-oomd" || bare)
        {
            var o = UserspaceRules.Oomd().Match(m);
            if (o.Success && (ident == "systemd-oomd" || o.Groups["cg"].Value.StartsWith('/')))
            {
                var (time, basis) = ResolveTime(ref e);
                var cg = o.Groups["cg"].Value;
                _queue.Add(new OomKill
                {
                    Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootId = e.BootId, HostName = e.Host,
                    Killer = OomKiller.SystemdOomd, ReportedBy = OomKiller.SystemdOomd, Kind = OomKillKind.SystemdOomd,
                    TaskCgroup = cg, MemoryCgroup = cg, Unit = UnitOf(cg), Detail = o.Groups["why"].Value, Signal = "SIGKILL",
                });
                return;
            }
        }
        if (ident == "earlyoom" || bare)
        {
            var k = UserspaceRules.Earlyoom().Match(m);
            if (!k.Success) k = UserspaceRules.EarlyoomOld().Match(m);
            if (k.Success)
            {
                var (time, basis) = ResolveTime(ref e);
                var sig = k.Groups["sig"].Success ? k.Groups["sig"].Value : k.Groups["signo"].Success ? SignalName(Int(k.Groups["signo"])!.Value) : null;
                _queue.Add(new OomKill
                {
                    Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootId = e.BootId, HostName = e.Host,
                    Killer = OomKiller.Earlyoom, ReportedBy = OomKiller.Earlyoom, Kind = OomKillKind.Earlyoom,
                    ProcessId = Int(k.Groups["pid"]), ProcessName = k.Groups["comm"].Value, Uid = Int(k.Groups["uid"]),
                    OomScore = Long(k.Groups["score"]), RssKb = Long(k.Groups["rss"]) * 1024, Signal = sig,
                });
            }
        }
    }

    private void UnitKill(ref KernelEntry e, string line, long n, string unit, OomKillKind kind, OomKiller killer)
    {
        var (time, basis) = ResolveTime(ref e);
        _queue.Add(new OomKill
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootId = e.BootId, HostName = e.Host,
            Killer = killer, ReportedBy = OomKiller.Systemd, Kind = kind, Unit = unit,
            Detail = kind == OomKillKind.SystemdUnitFailed
                ? "the unit failed because of an OOM kill (the kernel's, or from systemd v251 systemd-oomd's)"
                : "the kernel OOM killer killed a process of this unit",
        });
    }

    private void MainKilled(ref KernelEntry e, string line, long n, Match k)
    {
        var (time, basis) = ResolveTime(ref e);
        var sig = k.Groups["sig"].Value;
        var status = Int(k.Groups["status"]);
        _queue.Add(new ProcessCrash
        {
            Source = _source, LineNumber = n, Line = line, Time = time, TimeBasis = basis, BootId = e.BootId, HostName = e.Host,
            Kind = k.Groups["code"].Value == "dumped" ? CrashKind.CoreDumped : CrashKind.KilledBySignal,
            Unit = k.Groups["unit"].Value, Signal = char.IsAsciiLetter(sig[0]) ? "SIG" + sig : status is { } st ? SignalName(st) : null,
            Status = status, Detail = $"main process exited, code={k.Groups["code"].Value}, status={k.Groups["status"].Value}/{sig}",
        });
    }

    private static string SignalName(int n) => n switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 5 => "SIGTRAP", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE",
        9 => "SIGKILL", 10 => "SIGUSR1", 11 => "SIGSEGV", 12 => "SIGUSR2", 13 => "SIGPIPE", 14 => "SIGALRM", 15 => "SIGTERM",
        _ => "signal " + n.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The systemd unit a cgroup path belongs to: its last .service/.scope/.slice element.</summary>
    internal static string? UnitOf(string? cgroup)
    {
        if (string.IsNullOrEmpty(cgroup)) return null;
        var parts = cgroup.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
            if (parts[i].EndsWith(".service", StringComparison.Ordinal) || parts[i].EndsWith(".scope", StringComparison.Ordinal))
                return parts[i];
        return null;
    }

    // ---- time --------------------------------------------------------------------------------------

    private (DateTimeOffset?, TimeBasis) ResolveTime(ref KernelEntry e)
    {
        if (e.Time is { } t) return (t, e.Basis);
        if (e.LocalTime is { } local)
        {
            if (!e.YearKnown) local = WithYear(local);
            var basis = e.Basis == TimeBasis.None ? TimeBasis.PrintedLocal : e.Basis;
            if (e.Format == KernelLogFormat.SyslogShort && _reader.LooksLikeJournal)
            {
                basis = TimeBasis.JournalReceipt;
                if (e.IsKernel) Warn("receipt", "journalctl short output shows when journald received each kernel line, which can lag the kernel by seconds during an OOM; 'journalctl -k -o json' gives the kernel's own time.");
            }
            return (TimeZones.ToOffset(local, _o.TimeZone), basis);
        }
        if (e.BootSeconds is { } secs) return FromBoot(secs, e.BootId);
        return (null, TimeBasis.None);
    }

    private DateTime WithYear(DateTime noYear)
    {
        var reference = TimeZoneInfo.ConvertTime(_o.ReferenceDate ?? DateTimeOffset.Now, _o.TimeZone).DateTime;
        var year = reference.Year;
        DateTime Make(int y) => noYear.Month == 2 && noYear.Day == 29 && !DateTime.IsLeapYear(y)
            ? new DateTime(y, 3, 1).Add(noYear.TimeOfDay) : new DateTime(y, noYear.Month, noYear.Day).Add(noYear.TimeOfDay);
        var candidate = Make(year);
        // A stamp later than the collection date belongs to the previous year (Dec lines in a January file).
        if (candidate > reference.AddDays(2)) candidate = Make(year - 1);
        Warn("year", $"The log has no year in its timestamps; the year was inferred from {(_o.ReferenceDate is null ? "today's date" : "the collection date " + _o.ReferenceDate.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))} (a stamp later than that date is taken from the year before).");
        return candidate;
    }

    private (DateTimeOffset?, TimeBasis) FromBoot(double secs, string? bootId)
    {
        var ticks = (long)Math.Round(secs * TimeSpan.TicksPerSecond);
        if (_o.BootTime is { } bt) return (bt.AddTicks(ticks), TimeBasis.BootTimeGiven);
        var current = _o.SourceIsCurrentBoot || (bootId is not null && bootId == _o.CurrentBootId);
        if (!current && !_o.AssumeCurrentBoot) return (null, TimeBasis.None);
        if (!_anchorRead) { _anchor = BootClock.CurrentAnchor(); _uptime = BootClock.MonotonicNow(); _anchorRead = true; }
        if (_anchor is null) return (null, TimeBasis.None);
        if (!current)
        {
            if (_uptime is { } up && secs > up + 1)
            {
                Warn("oldboot", $"'{_source}' has boot-relative timestamps later than this host's uptime ({up:F0} s): they come from an earlier boot or another host, so they were left without a wall-clock time. Give -BootTime (the wall-clock time of that boot) to convert them.");
                return (null, TimeBasis.None);
            }
            Warn("assume", $"'{_source}' has boot-relative timestamps; they were converted as if the source were this host's current boot (now − CLOCK_MONOTONIC + ts). Give -BootTime if it is from another boot or host.");
            return (_anchor.Value.AddTicks(ticks), TimeBasis.CurrentBootAssumed);
        }
        return (_anchor.Value.AddTicks(ticks), TimeBasis.CurrentBoot);
    }

    // ---- output ------------------------------------------------------------------------------------

    private void Release(List<LogRecord> output, bool all)
    {
        if (_queue.Count == 0) return;
        var i = 0;
        for (; i < _queue.Count; i++)
        {
            var item = _queue[i];
            if (item is LogRecord r) { output.Add(r); _stats.RecordsEmitted++; continue; }
            var p = (PendingKill)item;
            var done = all || p.Done || (p.Clock is not null && _clock is not null && _clock.Value - p.Clock.Value > ReaperWindow);
            if (!done) break;
            output.Add(p.Build(p.Reaped));
            _stats.RecordsEmitted++;
        }
        _queue.RemoveRange(0, i);
    }

    private void Warn(string key, string message)
    {
        if (_o.Warning is not null && _warned.Add(key)) _o.Warning(message);
    }

    private static int? Int(Group g) => g.Success && int.TryParse(g.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static long? Long(Group g) => g.Success && long.TryParse(g.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
}
