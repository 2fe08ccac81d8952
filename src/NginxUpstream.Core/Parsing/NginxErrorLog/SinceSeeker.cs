using NginxUpstream.Sources;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>
/// -Since on an uncompressed log: binary search over byte offsets on the timestamps of the
/// first record after each probe (logs are time-ordered; the caller subtracts a margin for the
/// small disorder between workers), then a vectorised newline count of the skipped prefix so
/// line numbers stay exact.
/// </summary>
internal static class SinceSeeker
{
    private const int Probe = 16 << 10;

    /// <summary>Offset of a record start at or before the first record at/after <paramref name="target"/>; 0 when the file starts later.</summary>
    public static long Seek(FileStream fs, DateTimeOffset target, TimeZoneInfo zone)
    {
        var mat = new RecordMaterializer(zone);
        var buf = new byte[Probe];
        long lo = 0, hi = fs.Length;
        while (hi - lo > Probe)
        {
            long mid = lo + (hi - lo) / 2;
            var (t, _) = FirstRecordAt(fs, mid, buf, mat);
            if (t is { } time && time < target) lo = mid;
            else hi = mid;
        }
        if (lo == 0) return 0;
        var (_, off) = FirstRecordAt(fs, lo, buf, mat);
        return off < 0 ? lo : off;
    }

    /// <summary>The time and offset of the first record that starts after <paramref name="at"/> (on a later line).</summary>
    private static (DateTimeOffset?, long) FirstRecordAt(FileStream fs, long at, byte[] buf, RecordMaterializer mat)
    {
        int n = RandomAccess.Read(fs.SafeFileHandle, buf, at);
        var s = buf.AsSpan(0, n);
        int p = s.IndexOf((byte)'\n');
        var r = new ParsedRecord();
        while (p >= 0 && p + 1 < n)
        {
            var line = s[(p + 1)..];
            if (RecordParser.LooksLikeHeader(line))
            {
                r.Reset();
                int e = line.IndexOf((byte)'\n');
                if (RecordParser.TryParseHeader(e < 0 ? line : line[..e], ref r, out _))
                {
                    var lt = RecordMaterializer.LocalTicks(r);
                    if (lt >= 0) return (mat.ToTime(lt), at + p + 1);
                }
            }
            int q = line.IndexOf((byte)'\n');
            p = q < 0 ? -1 : p + 1 + q;
        }
        return (null, -1);
    }

    /// <summary>
    /// Newlines in the first <paramref name="end"/> bytes: from the nearest point this process
    /// already knows (<see cref="LineCheckpoints"/>), in 8 MB chunks counted in parallel
    /// (vectorised); the points passed on the way are remembered for the next call.
    /// </summary>
    public static long CountLines(FileStream fs, long end)
    {
        const int Chunk = 8 << 20;
        var handle = fs.SafeFileHandle;
        var (from, before) = LineCheckpoints.Nearest(handle, fs.Name, end);
        int chunks = (int)((end - from + Chunk - 1) / Chunk);
        var counts = new long[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) },
            () => new byte[1 << 20],
            (i, _, buf) =>
            {
                long pos = from + (long)i * Chunk, stop = Math.Min(end, pos + Chunk), count = 0;
                while (pos < stop)
                {
                    int n = RandomAccess.Read(handle, buf.AsSpan(0, (int)Math.Min(buf.Length, stop - pos)), pos);
                    if (n <= 0) break;
                    count += buf.AsSpan(0, n).Count((byte)'\n');
                    pos += n;
                }
                counts[i] = count;
                return buf;
            },
            _ => { });
        long total = before;
        for (int i = 0; i < chunks; i++)
        {
            total += counts[i];
            // A point every 64 MB, so a later call for another time finds one near it.
            if ((i & 7) == 7 && i < chunks - 1) LineCheckpoints.Add(handle, fs.Name, from + (long)(i + 1) * Chunk, total);
        }
        LineCheckpoints.Add(handle, fs.Name, end, total);
        return total;
    }

    /// <summary>Time of the first record of a file (plain or gzip); null when none in its first 64 KB.</summary>
    public static DateTimeOffset? FirstTime(string path, TimeZoneInfo zone)
    {
        using var fs = LogFileReader.OpenShared(path);
        var gz = LogFileReader.IsGzip(fs);
        using Stream s = gz ? new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true) : fs;
        var buf = new byte[64 << 10];
        int n = 0, k;
        while (n < buf.Length && (k = s.Read(buf, n, buf.Length - n)) > 0) n += k;
        var mat = new RecordMaterializer(zone);
        var r = new ParsedRecord();
        var span = buf.AsSpan(0, n);
        while (!span.IsEmpty)
        {
            int e = span.IndexOf((byte)'\n');
            var line = e < 0 ? span : span[..e];
            r.Reset();
            if (RecordParser.TryParseHeader(line, ref r, out _) && RecordMaterializer.LocalTicks(r) is var lt and >= 0)
                return mat.ToTime(lt);
            if (e < 0) break;
            span = span[(e + 1)..];
        }
        return null;
    }
}
