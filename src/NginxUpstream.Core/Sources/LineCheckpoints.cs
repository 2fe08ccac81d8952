using Microsoft.Win32.SafeHandles;

namespace NginxUpstream.Sources;

/// <summary>
/// Remembers, per file and for this process, how many lines come before some byte offsets, so a
/// later read that starts in the middle (-Since, -Follow) counts newlines only from the nearest
/// known point instead of from the start: exact line numbers without re-reading a 500 MB prefix
/// on every call of an interactive session.
/// </summary>
/// <remarks>
/// A point is trusted only while the file still has the same first bytes and the same bytes just
/// around the point: a rotated, truncated or rewritten log no longer matches and is counted again.
/// Logs are append-only, so an unchanged prefix around a point means the same lines before it.
/// Bounded: a few files, a few thousand points each.
/// </remarks>
internal static class LineCheckpoints
{
    private const int HeadBytes = 4096, GuardBytes = 64, MaxFiles = 16, MaxPoints = 4096;

    /// <summary>Lines before the point, and the bytes around it (the end of one line, the start of the next with its time and *N).</summary>
    private sealed class Point(long lines, long guardStart, byte[] guard)
    {
        public readonly long Lines = lines;
        public readonly long GuardStart = guardStart;
        public readonly byte[] Guard = guard;
    }

    private sealed class Entry(byte[] head)
    {
        public readonly byte[] Head = head;
        public readonly SortedList<long, Point> Points = new();
        public long LastUse;
    }

    private static readonly Dictionary<string, Entry> Files = new(StringComparer.Ordinal);
    private static long _clock;

    /// <summary>The known point at or before <paramref name="end"/> (offset, lines before it); (0, 0) when none holds.</summary>
    public static (long Offset, long Lines) Nearest(SafeFileHandle file, string path, long end)
    {
        lock (Files)
        {
            if (!Files.TryGetValue(path, out var e)) return (0, 0);
            if (!HeadMatches(file, e)) { Files.Remove(path); return (0, 0); }
            e.LastUse = ++_clock;
            var keys = e.Points.Keys;
            int lo = 0, hi = keys.Count - 1, best = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (keys[mid] <= end) { best = mid; lo = mid + 1; } else hi = mid - 1;
            }
            for (; best >= 0; best--)
            {
                var off = keys[best];
                var p = e.Points.Values[best];
                if (Read(file, p.GuardStart, p.Guard.Length).AsSpan().SequenceEqual(p.Guard)) return (off, p.Lines);
                e.Points.RemoveAt(best); // the bytes there changed: this point (and its count) is stale
            }
            return (0, 0);
        }
    }

    /// <summary>Records that <paramref name="lines"/> newlines come before <paramref name="offset"/>.</summary>
    public static void Add(SafeFileHandle file, string path, long offset, long lines)
    {
        if (offset <= 0) return;
        var guardStart = Math.Max(0, offset - GuardBytes);
        var guard = Read(file, guardStart, (int)(offset - guardStart) + GuardBytes);
        if (guard.Length == 0) return;
        lock (Files)
        {
            if (!Files.TryGetValue(path, out var e) || !HeadMatches(file, e))
            {
                if (Files.Count >= MaxFiles && !Files.ContainsKey(path))
                    Files.Remove(Files.MinBy(kv => kv.Value.LastUse).Key);
                Files[path] = e = new Entry(Read(file, 0, HeadBytes));
            }
            e.LastUse = ++_clock;
            e.Points[offset] = new Point(lines, guardStart, guard);
            if (e.Points.Count > MaxPoints)
                for (int i = e.Points.Count - 2; i > 0; i -= 2) e.Points.RemoveAt(i); // keep every other point
        }
    }

    /// <summary>Forgets everything (tests).</summary>
    public static void Clear()
    {
        lock (Files) Files.Clear();
    }

    private static bool HeadMatches(SafeFileHandle file, Entry e) => Read(file, 0, e.Head.Length).AsSpan().SequenceEqual(e.Head);

    private static byte[] Read(SafeFileHandle file, long offset, int count)
    {
        var b = new byte[count];
        int n = 0;
        while (n < count)
        {
            int k = RandomAccess.Read(file, b.AsSpan(n), offset + n);
            if (k <= 0) break;
            n += k;
        }
        return n == count ? b : b[..n];
    }
}
