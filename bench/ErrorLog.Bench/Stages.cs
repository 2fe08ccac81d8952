using System.Diagnostics;
using System.Globalization;
using NginxUpstream.Parsing.NginxErrorLog;

namespace ErrorLogBench;

/// <summary>
/// `stages PATH`: what each stage of the upstream-only read costs on one thread, warm, over the
/// lines of a (small) log held in memory: finding the line end, the header, the prefilter, the
/// body parse of the records that pass it, and building the objects. Each stage is timed alone,
/// best of 15 passes after 40 warm-up passes, so the figures add up to about the cost of a read.
/// </summary>
internal static class Stages
{
    public static void Run(string path)
    {
        var data = File.ReadAllBytes(path);
        var lines = new List<(int Start, int Length)>();
        for (int i = 0, start = 0; i < data.Length; i++)
            if (data[i] == (byte)'\n') { lines.Add((start, i - start)); start = i + 1; }
        var all = lines.ToArray();
        var candidates = new List<(int Start, int Length, int Body)>();
        var rec = new ParsedRecord();
        foreach (var (a, n) in all)
        {
            var s = data.AsSpan(a, n);
            if (RecordParser.TryParseHeader(s, ref rec, out var bodyStart) && Classifier.CanBeUpstream(s)) candidates.Add((a, n, bodyStart));
        }
        var cand = candidates.ToArray();
        var upstream = cand.Where(c =>
        {
            var r = new ParsedRecord();
            RecordParser.TryParseHeader(data.AsSpan(c.Start, c.Length), ref r, out _);
            RecordParser.ParseBody(data.AsSpan(c.Start, c.Length), c.Body, ref r, false);
            return r.Side == NginxUpstream.Model.ErrorSide.Upstream;
        }).ToArray();

        long LineEnds() { long k = 0; foreach (var (a, n) in all) k += data.AsSpan(a, n + 1 < data.Length - a ? n + 1 : n).IndexOf((byte)'\n'); return k; }
        long Headers() { var r = new ParsedRecord(); long k = 0; foreach (var (a, n) in all) if (RecordParser.TryParseHeader(data.AsSpan(a, n), ref r, out var b)) k += b; return k; }
        long Prefilter() { long k = 0; foreach (var (a, n) in all) if (Classifier.CanBeUpstream(data.AsSpan(a, n))) k++; return k; }
        long PrefilterBySixSearches() { long k = 0; foreach (var (a, n) in all) if (Classifier.CanBeUpstreamScalar(data.AsSpan(a, n))) k++; return k; }
        long Bodies() { var r = new ParsedRecord(); long k = 0; foreach (var (a, n, b) in cand) { RecordParser.ParseBody(data.AsSpan(a, n), b, ref r, false); k += (int)r.Kind; } return k; }
        long Objects()
        {
            var r = new ParsedRecord(); var decoder = new TextDecoder(); long k = 0;
            foreach (var (a, n, b) in upstream)
            {
                var s = data.AsSpan(a, n);
                RecordParser.TryParseHeader(s, ref r, out _);
                RecordParser.ParseBody(s, b, ref r, false);
                k += RecordMaterializer.Build(s, new RecordFacts(r), default, path, 1, a, null, decoder).LineNumber;
            }
            return k;
        }
        long HeaderAndBody()
        {
            var r = new ParsedRecord(); long k = 0;
            foreach (var (a, n, b) in upstream) { var s = data.AsSpan(a, n); RecordParser.TryParseHeader(s, ref r, out _); RecordParser.ParseBody(s, b, ref r, false); k += (int)r.Kind; }
            return k;
        }

        double lineEnd = PerItem(LineEnds, all.Length), header = PerItem(Headers, all.Length), pre = PerItem(Prefilter, all.Length),
            pre6 = PerItem(PrefilterBySixSearches, all.Length), body = PerItem(Bodies, cand.Length),
            build = PerItem(Objects, upstream.Length) - PerItem(HeaderAndBody, upstream.Length);
        string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine($"lines={all.Length} candidates={cand.Length} upstream={upstream.Length} " +
                          $"line_end_ns={F(lineEnd)} header_ns={F(header)} prefilter_ns={F(pre)} prefilter_six_searches_ns={F(pre6)} " +
                          $"body_ns_per_candidate={F(body)} build_ns_per_object={F(build)} " +
                          $"est_ns_per_line={F(lineEnd + header + pre + body * cand.Length / all.Length + build * upstream.Length / all.Length)}");
    }

    /// <summary>Best time of 15 passes after 40 warm-up passes (tiered compilation, caches), per item.</summary>
    private static double PerItem(Func<long> pass, int items)
    {
        for (int i = 0; i < 40; i++) pass();
        double best = double.MaxValue;
        for (int i = 0; i < 15; i++)
        {
            var sw = Stopwatch.StartNew();
            pass();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds * 1e6 / items);
        }
        return best;
    }
}
