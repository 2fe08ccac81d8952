using System.Diagnostics;

namespace NginxUpstream.Sources;

/// <summary>Result of running an external program.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut);

/// <summary>
/// Runs external programs (nginx -T, journalctl, dmesg) with an argument list, never a shell
/// string, and a timeout; kills the process tree when the timeout passes.
/// </summary>
public static class ExternalCommand
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Which(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            if (dir.Length == 0) continue;
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        // nginx and friends live in sbin, which a non-root PATH often lacks.
        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/local/sbin" })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Starts the program with redirected streams and no standard input.</summary>
    private static Process Start(string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        p.StandardInput.Close();
        return p;
    }

    /// <summary>Runs the program to completion, capturing both streams.</summary>
    public static CommandResult Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var p = Start(fileName, arguments);
        var stdout = p.StandardOutput.ReadToEndAsync(cancel);
        var stderr = p.StandardError.ReadToEndAsync(cancel);
        var timedOut = false;
        try
        {
            if (!p.WaitForExit((int)Math.Min(int.MaxValue, timeout.TotalMilliseconds))) { timedOut = true; p.Kill(true); }
        }
        catch (OperationCanceledException) { p.Kill(true); throw; }
        p.WaitForExit();
        return new CommandResult(timedOut ? -1 : p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), timedOut);
    }

    /// <summary>
    /// Streams the program's standard output line by line (journalctl can be large). The
    /// process is killed when enumeration stops early, on cancel, or after <paramref name="timeout"/>.
    /// Standard error and the exit code are reported through <paramref name="onExit"/>.
    /// </summary>
    public static IEnumerable<string> StreamLines(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        Action<int, string>? onExit = null, CancellationToken cancel = default)
    {
        using var p = Start(fileName, arguments);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancel);
        using var reg = linked.Token.Register(() => { try { p.Kill(true); } catch { /* already gone */ } });
        try
        {
            string? line;
            while ((line = p.StandardOutput.ReadLine()) is not null)
                yield return line;
        }
        finally
        {
            if (!p.HasExited) { try { p.Kill(true); } catch { /* already gone */ } }
            p.WaitForExit();
            onExit?.Invoke(timer.IsCancellationRequested ? -1 : p.ExitCode, stderr.GetAwaiter().GetResult());
        }
        cancel.ThrowIfCancellationRequested();
    }
}
