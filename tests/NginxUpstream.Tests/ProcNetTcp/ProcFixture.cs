using System.Text.Json;

namespace NginxUpstream.Tests.ProcNetTcp;

/// <summary>
/// The captured loopback fixture (tests/fixtures/proc-net-tcp/loopback) materialised as a proc
/// tree in a temp folder: net/tcp and net/tcp6 verbatim, PID/comm and PID/fd/N symlinks rebuilt
/// from owners.tsv (git cannot hold /proc).
/// </summary>
public sealed class ProcFixture : IDisposable
{
    public static string Dir => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "proc-net-tcp", "loopback");

    public string Root { get; }
    public JsonElement Capture { get; }
    public int MasterPid => Capture.GetProperty("pid").GetInt32();
    public int WorkerPid => Capture.GetProperty("workerPid").GetInt32();

    public ProcFixture()
    {
        Capture = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "capture.json"))).RootElement;
        Root = Path.Combine(Path.GetTempPath(), "nu-proc-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path.Combine(Root, "net"));
        File.Copy(Path.Combine(Dir, "tcp"), Path.Combine(Root, "net", "tcp"));
        File.Copy(Path.Combine(Dir, "tcp6"), Path.Combine(Root, "net", "tcp6"));
        foreach (var line in File.ReadLines(Path.Combine(Dir, "owners.tsv")))
        {
            if (line.StartsWith('#')) continue;
            var f = line.Split('\t');
            var pidDir = Path.Combine(Root, f[0]);
            Directory.CreateDirectory(Path.Combine(pidDir, "fd"));
            File.WriteAllText(Path.Combine(pidDir, "comm"), f[1] + "\n");
            File.CreateSymbolicLink(Path.Combine(pidDir, "fd", f[2]), f[3]);
        }
    }

    /// <summary>The sockets capture.py made, with what it knew of them.</summary>
    public static IEnumerable<object[]> SocketNames()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "capture.json")));
        foreach (var s in doc.RootElement.GetProperty("sockets").EnumerateArray()) yield return new object[] { s.GetProperty("name").GetString()! };
    }

    public JsonElement Socket(string name) =>
        Capture.GetProperty("sockets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
