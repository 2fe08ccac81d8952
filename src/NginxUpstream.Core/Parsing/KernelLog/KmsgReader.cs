using System.Runtime.InteropServices;
using System.Text;

namespace NginxUpstream.Parsing.KernelLog;

/// <summary>
/// Reads the kernel ring buffer from /dev/kmsg directly, for hosts without util-linux dmesg.
/// Each read() returns one record ("prio,seq,usec,flag;text" plus " KEY=value" dictionary
/// lines); the device is opened non-blocking so the read stops at the end of the buffer
/// (EAGAIN) instead of waiting for new messages. EPIPE means records were overwritten while
/// reading: the next read continues with the oldest record still there.
/// </summary>
internal static class KmsgReader
{
    private const int ONonBlock = 0x800;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int EPipe = 32;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>The records' lines, or null with <paramref name="errno"/> set when the device cannot be opened.</summary>
    public static List<string>? ReadAll(string path, out int errno, CancellationToken cancel = default)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux()) { errno = 2; return null; }
        var fd = Open(path, ONonBlock);
        if (fd < 0) { errno = Marshal.GetLastPInvokeError(); return null; }
        var lines = new List<string>();
        var buf = new byte[8192 + 1];
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var n = Read(fd, buf, buf.Length);
                if (n < 0)
                {
                    var e = Marshal.GetLastPInvokeError();
                    if (e is EPipe or EIntr) continue;
                    if (e != EAgain) errno = e;
                    break;
                }
                if (n == 0) break;
                var text = Encoding.UTF8.GetString(buf, 0, (int)n); // kmsg escapes bytes outside printable ASCII as \xNN
                foreach (var l in text.TrimEnd('\n').Split('\n')) lines.Add(l);
            }
        }
        finally { Close(fd); }
        return lines;
    }
}
