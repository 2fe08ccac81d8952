using System.IO.Compression;
using System.Text;

namespace NginxUpstream.Sources;

/// <summary>
/// Reads a log file as lines, with gzip detected by its magic bytes (not the file name, since
/// rotated files are sometimes renamed). Invalid UTF-8 is decoded leniently; a corrupt gzip
/// stops the read at the break and reports it through <see cref="LogReadException"/> after the
/// lines read so far were yielded.
/// </summary>
public static class LogFileReader
{
    private static readonly Encoding Utf8Lenient = new UTF8Encoding(false, false);

    /// <summary>True when the file starts with the gzip magic 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var fs = OpenShared(path);
        return IsGzip(fs);
    }

    /// <summary>True when the stream continues with the gzip magic 1f 8b; its position is left as it was.</summary>
    public static bool IsGzip(Stream s)
    {
        Span<byte> magic = stackalloc byte[2];
        var pos = s.Position;
        var n = s.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        s.Position = pos;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// Opens a log for sequential reading, sharing it with the writer and with logrotate (which
    /// may rename or delete it meanwhile). <paramref name="bufferSize"/> 0 leaves buffering to
    /// the caller, for readers with large buffers of their own.
    /// </summary>
    public static FileStream OpenShared(string path, int bufferSize = 0) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = bufferSize, Options = FileOptions.SequentialScan,
        });

    /// <summary>Opens the file for reading (decompressing gzip), sharing it with writers and rotators.</summary>
    public static Stream Open(string path, out bool compressed)
    {
        var fs = OpenShared(path, 1 << 16);
        compressed = IsGzip(fs);
        return compressed ? new GZipStream(fs, CompressionMode.Decompress) : fs;
    }

    /// <summary>
    /// Lines of a file. <paramref name="stats"/> receives lines and (compressed or raw) bytes read.
    /// Throws <see cref="LogReadException"/> (after yielding what was readable) on a corrupt gzip.
    /// </summary>
    public static IEnumerable<LogLine> ReadLines(string path, ReadStats? stats = null, CancellationToken cancel = default)
    {
        using var stream = Open(path, out _);
        foreach (var l in ReadLines(stream, path, stats, cancel)) yield return l;
    }

    /// <summary>Lines of any stream, named <paramref name="source"/>.</summary>
    public static IEnumerable<LogLine> ReadLines(Stream stream, string source, ReadStats? stats = null, CancellationToken cancel = default)
    {
        using var reader = new StreamReader(stream, Utf8Lenient, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        long n = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            string? text;
            try { text = reader.ReadLine(); }
            catch (InvalidDataException ex)
            {
                throw new LogReadException($"'{source}' is corrupt after line {n}: {ex.Message}", source, n, ex);
            }
            catch (EndOfStreamException ex)
            {
                throw new LogReadException($"'{source}' ends unexpectedly after line {n}: {ex.Message}", source, n, ex);
            }
            if (text is null) yield break;
            n++;
            if (stats is not null) { stats.LinesRead++; stats.BytesRead += text.Length + 1; }
            yield return new LogLine(source, n, text);
        }
    }

    /// <summary>Lines of in-memory text (pipeline input, command output), numbered from 1.</summary>
    public static IEnumerable<LogLine> FromText(IEnumerable<string> lines, string source)
    {
        long n = 0;
        foreach (var chunk in lines)
            foreach (var t in chunk.Split('\n'))
            {
                // A trailing newline in a chunk is not an extra empty line.
                n++;
                yield return new LogLine(source, n, t.EndsWith('\r') ? t[..^1] : t);
            }
    }
}

/// <summary>A log could not be read to its end (corrupt gzip, I/O error). Carries where it broke.</summary>
public sealed class LogReadException(string message, string source, long lineNumber, Exception? inner = null)
    : IOException(message, inner)
{
    public string LogSource => source;
    public long LineNumber => lineNumber;
}
