using System.Diagnostics;
using System.Globalization;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;

namespace ErrorLogBench;

/// <summary>
/// generate PATH [LINES]     write the deterministic benchmark log (default 3,000,000 lines)
/// engine PATH               engine throughput in-process, warm: parse every record (count), build every object,
///                           and the upstream-only read the cmdlet does without -All (count, then objects);
///                           each the median of 3 timed passes after an untimed one
/// stages PATH               per-line cost of each stage of the upstream-only read, one thread (use a small log)
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "generate")
        {
            var lines = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 3_000_000;
            var (n, bytes) = Generator.Write(args[1], lines);
            Console.WriteLine($"lines={n} bytes={bytes} last={Generator.End:yyyy-MM-ddTHH:mm:ss}");
            return 0;
        }
        if (args.Length >= 2 && args[0] == "engine")
        {
            var path = args[1];
            var size = new FileInfo(path).Length;
            var reader = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc };
            // Each measurement warms its own code path with one untimed pass (see Measure).
            var count = Measure(() => reader.Count(path), out var countSec, out var countCpu);
            // The objects the cmdlet emits: text decoded on first use, as Get-NginxUpstreamError reads.
            var upstreamOnly = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true, TextDecoding = TextDecoding.OnFirstUse };
            var objects = Measure(() => { long k = 0; foreach (var _ in reader.ReadFile(path)) k++; return k; }, out var allSec, out var allCpu);
            var upCount = Measure(() => upstreamOnly.Count(path), out var upCountSec, out var upCountCpu);
            var upObjects = Measure(() => { long k = 0; foreach (var _ in upstreamOnly.ReadFile(path)) k++; return k; }, out var upSec, out var upCpu);
            // The same upstream-only read on one thread (MaxParallelism = 1), for the per-core figure.
            var single = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true, MaxParallelism = 1, TextDecoding = TextDecoding.OnFirstUse };
            var upSingle = Measure(() => { long k = 0; foreach (var _ in single.ReadFile(path)) k++; return k; }, out var upSingleSec, out var upSingleCpu);
            // The reader's default: every object with its text (strings made on the reading thread).
            var eager = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc, UpstreamOnly = true };
            var upEager = Measure(() => { long k = 0; foreach (var _ in eager.ReadFile(path)) k++; return k; }, out var upEagerSec, out var upEagerCpu);
            var stats = new ReadStats();
            reader.Count(path, stats);
            string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
            Console.WriteLine($"bytes={size} lines={stats.LinesRead} records={count} count_s={F(countSec)} count_mbs={F(size / 1e6 / countSec)} count_cpu_s={F(countCpu)} " +
                              $"objects={objects} objects_s={F(allSec)} objects_mbs={F(size / 1e6 / allSec)} objects_cpu_s={F(allCpu)} " +
                              $"upstream_objects={upObjects} upstream_s={F(upSec)} upstream_mbs={F(size / 1e6 / upSec)} upstream_cpu_s={F(upCpu)} " +
                              $"upstream_count={upCount} upstream_count_s={F(upCountSec)} upstream_count_cpu_s={F(upCountCpu)} " +
                              $"upstream_single={upSingle} upstream_single_s={F(upSingleSec)} upstream_single_cpu_s={F(upSingleCpu)} threads={upstreamOnly.MaxParallelism} " +
                              $"upstream_eager={upEager} upstream_eager_s={F(upEagerSec)} upstream_eager_cpu_s={F(upEagerCpu)} " +
                              $"peak_rss_mb={F(PeakRssMb())}");
            return 0;
        }
        if (args.Length >= 2 && args[0] == "stages")
        {
            Stages.Run(args[1]);
            return 0;
        }
        Console.Error.WriteLine("usage: ErrorLog.Bench generate PATH [LINES] | engine PATH | stages PATH");
        return 2;
    }

    /// <summary>Timed passes of each measurement after its untimed warm-up pass.</summary>
    private const int TimedPasses = 3;

    /// <summary>
    /// Runs f once untimed (JIT tiers, page cache), then <see cref="TimedPasses"/> times; seconds is
    /// the median pass's wall time and cpu that pass's process CPU time (the machine is shared).
    /// </summary>
    private static long Measure(Func<long> f, out double seconds, out double cpu)
    {
        f();
        var passes = new (double Wall, double Cpu)[TimedPasses];
        long r = 0;
        var p = Process.GetCurrentProcess();
        for (int i = 0; i < TimedPasses; i++)
        {
            p.Refresh();
            var c0 = p.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            r = f();
            var wall = sw.Elapsed.TotalSeconds;
            p.Refresh();
            passes[i] = (wall, (p.TotalProcessorTime - c0).TotalSeconds);
        }
        Array.Sort(passes);
        (seconds, cpu) = passes[TimedPasses / 2];
        return r;
    }

    private static double PeakRssMb()
    {
        foreach (var l in File.ReadLines("/proc/self/status"))
            if (l.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(l[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
