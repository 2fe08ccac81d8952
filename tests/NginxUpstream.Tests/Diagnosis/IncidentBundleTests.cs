using NginxUpstream.Analysis.Diagnosis;
using Xunit;

namespace NginxUpstream.Tests.Diagnosis;

public class IncidentBundleTests
{
    private static string Bundle(params (string name, string text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("nu-bundle").FullName;
        foreach (var (n, t) in files) File.WriteAllText(Path.Combine(dir, n), t);
        return dir;
    }

    [Fact]
    public void RecognisesEachFileByContentNotName()
    {
        var dir = Bundle(
            ("a.txt", "2026/11/27 01:06:50 [error] 26097#26097: *4 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1\n"),
            ("b.txt", "2026-11-27T01:06:49,600054+00:00 Memory cgroup out of memory: Killed process 26092 (gunicorn) total-vm:150332kB\n"),
            ("c.txt", "[ 1162.600054] Memory cgroup out of memory: Killed process 26092 (gunicorn) total-vm:150332kB\n"),
            ("d.txt", "[2026-11-27 01:06:50 +0000] [26081] [WARNING] Worker with pid 26092 was terminated due to signal 9\n"),
            ("e.txt", "[27-Nov-2026 01:07:37] WARNING: [pool www] child 26435 exited on signal 15 (SIGTERM) after 3.336106 seconds from start\n"),
            ("f.txt", "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nevents {}\n"),
            ("g.txt", "events {}\nhttp {\n  upstream app { server 127.0.0.1:8000; }\n}\n"),
            ("h.txt", "127.0.0.1 - - [27/Nov/2026:01:06:50 +0000] \"GET /hog HTTP/1.1\" 502 157 \"-\" \"curl/7.88.1\"\n"),
            ("README.md", "# x\n"),
            ("i.txt", "hello\n"));
        var kinds = IncidentBundle.Classify(dir).ToDictionary(f => Path.GetFileName(f.Path), f => f.Kind);
        Assert.Equal(BundleFileKind.NginxErrorLog, kinds["a.txt"]);
        Assert.Equal(BundleFileKind.KernelLogWallClock, kinds["b.txt"]);
        Assert.Equal(BundleFileKind.Ignored, kinds["c.txt"]);          // boot-relative duplicate of b
        Assert.Equal(BundleFileKind.BackendLog, kinds["d.txt"]);
        Assert.Equal(BundleFileKind.BackendLog, kinds["e.txt"]);
        Assert.Equal(BundleFileKind.NginxConfigDump, kinds["f.txt"]);
        Assert.Equal(BundleFileKind.Ignored, kinds["g.txt"]);          // the dump holds the config
        Assert.Equal(BundleFileKind.AccessLog, kinds["h.txt"]);
        Assert.Equal(BundleFileKind.Ignored, kinds["README.md"]);
        Assert.Equal(BundleFileKind.Unknown, kinds["i.txt"]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void KeepsBootRelativeKernelLogAndConfigWhenTheyAreTheOnlyOnes()
    {
        var dir = Bundle(("dmesg", "[ 1162.600054] Memory cgroup out of memory: Killed process 26092 (gunicorn) total-vm:150332kB\n"),
                         ("nginx.conf", "events {}\nhttp {\n  upstream app { server 127.0.0.1:8000; }\n}\n"));
        var kinds = IncidentBundle.Classify(dir).ToDictionary(f => Path.GetFileName(f.Path), f => f.Kind);
        Assert.Equal(BundleFileKind.KernelLogBootRelative, kinds["dmesg"]);
        Assert.Equal(BundleFileKind.NginxConfig, kinds["nginx.conf"]);
        Directory.Delete(dir, true);
    }
}
