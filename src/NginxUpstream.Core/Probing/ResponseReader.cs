using System.Net.Sockets;
using System.Text;

namespace NginxUpstream.Probing;

/// <summary>
/// Buffered reads of one HTTP/1.x response from a socket, every read bounded by one deadline
/// token. Fill returns 0 at FIN and throws SocketException at a reset.
/// </summary>
internal sealed class ResponseReader
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    public ResponseReader(Socket socket) => _socket = socket;

    public CancellationToken Deadline { get; set; }
    /// <summary>Called with the time of the first byte received.</summary>
    public Action? OnFirstByte { get; set; }
    public bool Eof { get; private set; }
    public int Buffered => _end - _start;

    private int Fill()
    {
        if (Eof) return 0;
        _start = _end = 0;
        int n = _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, Deadline).AsTask().GetAwaiter().GetResult();
        if (n == 0) Eof = true;
        else if (OnFirstByte is { } first) { OnFirstByte = null; first(); }
        _end = n;
        return n;
    }

    /// <summary>A CRLF (or LF) terminated line as Latin-1, null at EOF before any byte of it.</summary>
    public string? ReadLine(int maxLength)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (_start == _end && Fill() == 0) return sb.Length == 0 ? null : throw new EndOfStreamException("connection closed inside a line");
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = lf < 0 ? _end : lf;
            sb.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            if (sb.Length > maxLength) throw new InvalidDataException($"line longer than {maxLength} bytes");
            if (lf >= 0)
            {
                _start = lf + 1;
                if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
                return sb.ToString();
            }
            _start = _end;
        }
    }

    /// <summary>Discards up to count bytes; returns how many were there before EOF.</summary>
    public long Skip(long count)
    {
        long done = 0;
        while (done < count)
        {
            if (_start == _end && Fill() == 0) break;
            int take = (int)Math.Min(count - done, _end - _start);
            _start += take;
            done += take;
        }
        return done;
    }
}
