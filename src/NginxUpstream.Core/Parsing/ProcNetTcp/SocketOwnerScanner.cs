using System.Globalization;
using NginxUpstream.Model;

namespace NginxUpstream.Parsing.ProcNetTcp;

/// <summary>What the owner scan saw, for -Verbose.</summary>
public sealed class OwnerScanStats
{
    public int ProcessesScanned { get; set; }
    /// <summary>Processes whose fd table could not be read (another user's, without root) or that exited meanwhile.</summary>
    public int ProcessesUnreadable { get; set; }
    public long SocketDescriptors { get; set; }

    public override string ToString() =>
        $"{ProcessesScanned} processes scanned, {ProcessesUnreadable} unreadable, {SocketDescriptors} socket descriptors";
}

/// <summary>
/// Maps socket inodes to the processes holding them, the way ss -p and lsof do: every
/// /proc/PID/fd/N is a symlink whose target reads "socket:[INODE]" for a socket; /proc/PID/comm
/// names the process. Processes whose fd table cannot be read are counted and skipped.
/// </summary>
public static class SocketOwnerScanner
{
    public static Dictionary<long, List<SocketOwner>> Scan(string procRoot, IReadOnlySet<long> inodes, OwnerScanStats stats, CancellationToken cancel = default)
    {
        var owners = new Dictionary<long, List<SocketOwner>>();
        if (inodes.Count == 0) return owners;
        IEnumerable<string> pidDirs;
        try { pidDirs = Directory.EnumerateDirectories(procRoot); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return owners; }

        foreach (var dir in pidDirs)
        {
            cancel.ThrowIfCancellationRequested();
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            stats.ProcessesScanned++;
            string? comm = null;
            try
            {
                foreach (var fdPath in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    string? target;
                    try { target = new FileInfo(fdPath).LinkTarget; }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // closed meanwhile
                    if (!TryParseSocketInode(target, out var inode)) continue;
                    stats.SocketDescriptors++;
                    if (!inodes.Contains(inode)) continue;
                    comm ??= ReadComm(dir);
                    if (!owners.TryGetValue(inode, out var list)) owners[inode] = list = new List<SocketOwner>(1);
                    int.TryParse(Path.GetFileName(fdPath), NumberStyles.None, CultureInfo.InvariantCulture, out var fd);
                    list.Add(new SocketOwner { ProcessId = pid, ProcessName = comm, FileDescriptor = fd });
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stats.ProcessesUnreadable++;
            }
        }
        foreach (var list in owners.Values) list.Sort((a, b) => a.ProcessId != b.ProcessId ? a.ProcessId.CompareTo(b.ProcessId) : a.FileDescriptor.CompareTo(b.FileDescriptor));
        return owners;
    }

    /// <summary>"socket:[12345]" -> 12345.</summary>
    public static bool TryParseSocketInode(string? target, out long inode)
    {
        inode = 0;
        if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal) || !target.EndsWith(']')) return false;
        return long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    private static string? ReadComm(string pidDir)
    {
        try { return File.ReadAllText(Path.Combine(pidDir, "comm")).TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
