using System.Globalization;
using NginxUpstream.Model;
using NginxUpstream.Parsing.KernelLog;
using NginxUpstream.Sources;
using NginxUpstream.Time;
using Xunit;
using Engine = NginxUpstream.Parsing.KernelLog.KernelLog;

namespace NginxUpstream.Tests.KernelLog;

/// <summary>Kernel-version, distro and rendering variants from reference/kernel-log.md §2–§5.</summary>
public class KernelVariantTests
{
    private static readonly DateTimeOffset Boot = new(2026, 6, 27, 4, 58, 3, TimeSpan.Zero);

    private static List<LogRecord> Parse(string text, KernelLogOptions? o = null) =>
        Engine.ParseLines([text], "<t>", o ?? new KernelLogOptions { BootTime = Boot, TimeZone = TimeZoneInfo.Utc, ReferenceDate = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero) }).ToList();

    private static OomKill One(string text, KernelLogOptions? o = null) => Assert.IsType<OomKill>(Assert.Single(Parse(text, o)));

    [Fact]
    public void Rhel6VictimWithUidBeforeComm()
    {
        var k = One("""
            [  123.000000] httpd invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0
            [  123.000100] httpd cpuset=/ mems_allowed=0
            [  123.000200] Out of memory: Kill process 3011 (httpd) score 900 or sacrifice child
            [  123.000300] Killed process 3011, UID 48, (httpd) total-vm:1000kB, anon-rss:500kB, file-rss:20kB
            """);
        Assert.Equal((3011, "httpd", 48, 500L, OomKillKind.Global), (k.ProcessId!.Value, k.ProcessName, k.Uid!.Value, k.AnonRssKb!.Value, k.Kind));
        Assert.Equal(900, k.OomScore);
        Assert.Equal(Boot.AddTicks(1_230_003_000), k.Time);
    }

    [Fact]
    public void Rhel7VictimWithUidAfterComm()
    {
        var k = One("""
            [  5.0] java invoked oom-killer: gfp_mask=0x280da, order=0, oom_score_adj=0
            [  5.1] Memory cgroup out of memory: Kill process 2000 (java) score 1000 or sacrifice child
            [  5.2] Killed process 2000 (java), UID 1000, total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB
            """);
        Assert.Equal((2000, 1000, OomKillKind.Memcg, 0L), (k.ProcessId!.Value, k.Uid!.Value, k.Kind, k.ShmemRssKb!.Value));
    }

    [Fact]
    public void Rhel8VictimWithUidNoPgtables()
    {
        var k = One("[ 9.000001] Out of memory: Killed process 5 (a b) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB, UID:7");
        Assert.Equal((5, "a b", 7, OomKillKind.Global), (k.ProcessId!.Value, k.ProcessName, k.Uid!.Value, k.Kind));
    }

    [Fact]
    public void OldKernelKillsAChildOfTheScoredProcess()
    {
        var k = One("""
            [ 50.000000] apache2 invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null),  order=0, oom_score_adj=0
            [ 50.000001] apache2 cpuset=abc mems_allowed=0
            [ 50.000002] Task in /docker/abc killed as a result of limit of /docker
            [ 50.000003] Memory cgroup out of memory: Kill process 1502 (apache2) score 1002 or sacrifice child
            [ 50.000004] Killed process 1633 (apache2) total-vm:100kB, anon-rss:90kB, file-rss:1kB, shmem-rss:0kB
            """);
        Assert.Equal((1633, 1502, OomKillKind.Memcg), (k.ProcessId!.Value, k.ScoredProcessId!.Value, k.Kind));
        Assert.Equal(("/docker/abc", "/docker"), (k.TaskCgroup, k.MemoryCgroup));
        Assert.Equal(0, k.Order); // 4.12–4.14: two spaces before order=
        Assert.Equal("apache2", k.TriggeredBy);
    }

    [Fact]
    public void Vanilla2632VictimWithoutSizesOnlyInsideABlock()
    {
        var k = One("""
            [ 7.0] perl invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0
            [ 7.1] Out of memory: kill process 812 (perl) score 1234 or a child
            [ 7.2] Killed process 812 (perl)
            [ 900.0] Killed process 999 (lonely)
            """);
        Assert.Equal((812, OomKillKind.Global), (k.ProcessId!.Value, k.Kind));
    }

    [Fact]
    public void AllocatingTaskKillMode()
    {
        var k = One("[1.0] Out of memory (oom_kill_allocating_task): Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:-17");
        Assert.Equal((OomKillKind.Global, -17), (k.Kind, k.OomScoreAdj!.Value));
    }

    [Fact]
    public void SummaryWithoutVictimIsALowerConfidenceKill()
    {
        var k = One("""
            [ 3.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
            [ 3.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=we,ird,pid=77,uid=3
            """);
        Assert.True(k.SummaryOnly);
        Assert.Equal((77, "we,ird", "/a/b", "/a", 3, OomKillKind.Memcg), (k.ProcessId!.Value, k.ProcessName, k.TaskCgroup, k.MemoryCgroup, k.Uid!.Value, k.Kind));
    }

    [Fact]
    public void PrintkTimeRestartsOnANewBootSoTheSamePidIsTwoKills()
    {
        var r = Parse("""
            [ 100.000000] Out of memory: Killed process 500 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0
            [    0.000000] Linux version 6.1.0
            [ 100.000000] Out of memory: Killed process 500 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0
            """);
        Assert.Equal(2, r.Count);
    }

    [Fact]
    public void DecoysAreNotKills()
    {
        Assert.Empty(Parse("""
            [ 1.0] watchdog[3321]: Killed process 4410 (stuck-job) after 600s timeout
            [ 2.0] php-fpm8.1: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0
            [ 3.0] [  48213]    33 48213   563585   476675  3932160        0             0 php-fpm8.1
            [ 4.0] oom_reaper: reaped process 48213 (php-fpm8.1), now anon-rss:0kB, file-rss:0kB, shmem-rss:61440kB
            """));
    }

    public static IEnumerable<object[]> Renderings() =>
    [
        ["dmesg -x", "kern  :err   : [  123.456789] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0", "2026-06-27T05:00:06.456789Z"],
        ["dmesg -r", "<3>[  123.456789] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0", "2026-06-27T05:00:06.456789Z"],
        ["dmesg caller", "[  123.456789] [  T42] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0", "2026-06-27T05:00:06.456789Z"],
        ["dmesg -T", "[Sat Jun  6 10:50:46 2026] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-06-06T10:50:46.000000Z"],
        ["dmesg iso", "2026-06-27T12:50:46,995220+02:00 Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-06-27T10:50:46.995220Z"],
        ["kmsg caller", "3,83,123456789,-,caller=T42;Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-06-27T05:00:06.456789Z"],
        ["rfc5424", "<3>1 2026-07-10T14:22:05.412093+00:00 db02 kernel - - - Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-10T14:22:05.412093Z"],
        ["rsyslog file format", "2026-06-27T10:50:46.995220+00:00 web01 kernel: [21163.482911] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-06-27T10:50:46.995220Z"],
        ["short-iso v254", "2026-07-04T15:45:19+0200 api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.000000Z"],
        ["short-iso-precise", "2026-07-04T15:45:19.524460+02:00 api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.524460Z"],
        ["short-precise", "Jul 04 13:45:19.524460 api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.524460Z"],
        ["short-monotonic", "[  123.456789] api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-06-27T05:00:06.456789Z"],
        ["short-unix", "1783172719.524460 api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.524460Z"],
        ["short-full", "Sat 2026-07-04 13:45:19 UTC api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.000000Z"],
        ["rfc3164 no ts", "Jul  4 13:45:19 api01 kernel: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "2026-07-04T13:45:19.000000Z"],
        ["bare", "Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB", "-"],
    ];

    [Theory]
    [MemberData(nameof(Renderings))]
    public void EveryRenderingGivesTheSameKill(string name, string line, string wallUtc)
    {
        var k = One(line);
        Assert.True(k.ProcessId == 42 && k.ProcessName == "app" && k.AnonRssKb == 11, name);
        Assert.Equal(wallUtc, k.Time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) ?? "-");
    }

    [Theory]
    [InlineData("user  :err   : [  123.456789] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB")]
    [InlineData("<11>[  123.456789] Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB")]
    [InlineData("12,5,123456789,-;Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB")]
    [InlineData("<11>1 2026-07-10T14:22:05Z db02 kernel - - - Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB")]
    [InlineData("Jul  4 13:45:19 api01 myapp[7]: Out of memory: Killed process 42 (app) total-vm:1kB, anon-rss:11kB, file-rss:1kB, shmem-rss:0kB")]
    public void UserspaceWritesOfKernelTextAreNotKernelKills(string line) => Assert.Empty(Parse(line));

    [Fact]
    public void YearIsInferredAcrossTheYearBoundary()
    {
        var r = Parse("""
            Dec 31 23:59:58 h kernel: node[1]: segfault at 0 ip 0000000000000001 sp 0000000000000002 error 4
            Jan  2 00:00:01 h kernel: node[2]: segfault at 0 ip 0000000000000001 sp 0000000000000002 error 4
            """, new KernelLogOptions { TimeZone = TimeZoneInfo.Utc, ReferenceDate = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal([2025, 2026], r.Cast<ProcessCrash>().Select(c => c.Time!.Value.Year));
    }

    [Fact]
    public void LocalStampsTakeTheGivenZone()
    {
        var c = Assert.IsType<ProcessCrash>(Assert.Single(Parse("Jul 04 18:03:02 api01 kernel: uvicorn[30877]: segfault at 7f ip 00007f1c sp 00007ffc error 6 in libuv.so.1.0.0[120f2,7f1c2e608000+21000] likely on CPU 1 (core 1, socket 0)",
            new KernelLogOptions { TimeZone = TimeZones.Resolve("Europe/Berlin"), ReferenceDate = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero) })));
        Assert.Equal(new DateTimeOffset(2026, 7, 4, 16, 3, 2, TimeSpan.Zero), c.Time);
        Assert.Equal(TimeBasis.JournalReceipt, c.TimeBasis); // zero-padded day: journalctl, receipt time
        Assert.Equal(("libuv.so.1.0.0", "6", "user-mode write of an unmapped page"), (c.Module, c.ErrorCode, c.Detail));
    }

    [Fact]
    public void UserspaceReportersAndSystemdResults()
    {
        var r = Parse("""
            Jun 27 10:50:47 web01 systemd[1]: php8.1-fpm.service: A process of this unit has been killed by the OOM killer.
            Jun 27 10:50:47 web01 systemd[1]: nginx.service: The kernel OOM killer killed some processes in this unit.
            Jun 27 10:50:47 web01 systemd[1]: php8.1-fpm.service: Failed with result 'oom-kill'.
            Jun 27 10:50:47 web01 systemd[1]: php8.1-fpm.service: Failed with result 'signal'.
            Jun 27 10:50:48 web01 systemd[1]: app.service: Main process exited, code=dumped, status=11/SEGV
            Jun 27 10:50:48 web01 systemd[1]: app.service: Main process exited, code=killed, status=15/TERM
            Jun 27 10:50:48 web01 systemd[1]: app.service: Main process exited, code=exited, status=143/n/a
            Jun 27 10:50:49 web01 systemd-oomd[611]: Marked /system.slice/worker.service for killing due to memory pressure for /system.slice being 71.82% > 60.00% for > 20s with reclaim activity
            Jun 27 10:50:50 web01 earlyoom[812]: sending SIGKILL to process 9 uid 0 "py": oom_score 900, oom_score_adj 0, VmRSS 12 MiB, cmdline "python3 x.py"
            Jun 27 10:50:51 web01 earlyoom[812]: Killing process 'old' with signal 15, pid: 10, badness: 800, VmRSS: 5 MiB
            """);
        var kinds = r.Select(KernelCorpusTests.KindOf).ToList();
        Assert.Equal(["systemd-oom-unit", "systemd-oom-unit", "systemd-unit-failed", "crash-other", "systemd-main-killed", "systemd-oomd-kill", "earlyoom-kill", "earlyoom-kill"], kinds);
        var dumped = (ProcessCrash)r[3];
        Assert.Equal((CrashKind.CoreDumped, "SIGSEGV", 11), (dumped.Kind, dumped.Signal, dumped.Status!.Value));
        Assert.Equal("SIGTERM", ((ProcessCrash)r[4]).Signal);
        var oomd = (OomKill)r[5];
        Assert.Equal(("worker.service", OomKiller.SystemdOomd), (oomd.Unit, oomd.Killer));
        var eo = (OomKill)r[6];
        Assert.Equal((9, "py", 900L, 12L * 1024, "SIGKILL"), (eo.ProcessId!.Value, eo.ProcessName, eo.OomScore!.Value, eo.RssKb!.Value, eo.Signal));
        Assert.Equal((10, "old", "SIGTERM"), (((OomKill)r[7]).ProcessId!.Value, ((OomKill)r[7]).ProcessName, ((OomKill)r[7]).Signal));
    }

    [Fact]
    public void FileOfAnotherBootIsNotPutOnThisBootsClock()
    {
        var warnings = new List<string>();
        var o = new KernelLogOptions { TimeZone = TimeZoneInfo.Utc, Warning = warnings.Add };
        var far = One("[999999999.000000] Out of memory: Killed process 1 (x) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB", o);
        Assert.Null(far.Time);
        Assert.Contains(warnings, w => w.Contains("-BootTime"));

        warnings.Clear();
        var near = One("[    1.000000] Out of memory: Killed process 1 (x) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB", o);
        Assert.Equal(TimeBasis.CurrentBootAssumed, near.TimeBasis);
        Assert.Contains(warnings, w => w.Contains("as if the source were this host's current boot"));
    }

    [Fact]
    public void BootClockAnchorIsNowMinusMonotonic()
    {
        var anchor = BootClock.CurrentAnchor();
        var mono = BootClock.MonotonicNow();
        Assert.NotNull(anchor);
        Assert.NotNull(mono);
        var drift = (anchor!.Value.AddSeconds(mono!.Value) - DateTimeOffset.UtcNow).Duration();
        Assert.True(drift < TimeSpan.FromMilliseconds(200), drift.ToString());
        Assert.True(BootClock.SuspendedSeconds() >= 0);
        // /proc/stat btime is BOOTTIME-based and whole seconds: never later than the MONOTONIC anchor by more than 1 s.
        Assert.True(BootClock.ProcStatBootTime() <= anchor.Value.AddSeconds(1));
    }

    [Fact]
    public void HostSourcesExplainADeniedRingBufferAndFallBackToFiles()
    {
        var dir = Directory.CreateTempSubdirectory("nu-host").FullName;
        try
        {
            var dmesg = Path.Combine(dir, "dmesg");
            File.WriteAllText(dmesg, "#!/bin/sh\necho 'dmesg: read kernel buffer failed: Operation not permitted' >&2\nexit 1\n");
            File.SetUnixFileMode(dmesg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var kern = Path.Combine(dir, "kern.log");
            File.WriteAllText(kern, "Jun 27 10:50:46 web01 kernel: [21163.482911] Out of memory: Killed process 48213 (php-fpm8.1) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB\n");
            var notices = new List<KernelSourceNotice>();
            var settings = new HostKernelLogSettings { Journalctl = Path.Combine(dir, "no-journalctl"), Dmesg = dmesg, Files = [kern] };
            var r = HostKernelLog.Read(new KernelLogOptions { TimeZone = TimeZoneInfo.Utc }, new ReadStats(), notices.Add, settings).ToList();
            Assert.Equal(48213, Assert.IsType<OomKill>(Assert.Single(r)).ProcessId);
            var denied = Assert.Single(notices, n => n.Status == KernelSourceStatus.AccessDenied);
            Assert.Contains("dmesg_restrict", denied.Message);
            Assert.Contains("sysctl kernel.dmesg_restrict=0", denied.RecommendedAction);
            Assert.Contains(notices, n => n.Status == KernelSourceStatus.Reading && n.Source == kern);
        }
        finally { Directory.Delete(dir, true); }
    }
}
