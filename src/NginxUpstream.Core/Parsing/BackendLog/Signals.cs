using NginxUpstream.Model;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>Linux signal numbers and names (x86/arm generic ABI) and which of them are faults.</summary>
public static class Signals
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public static string? Name(int number) => number > 0 && number < Names.Length ? Names[number] : number > 0 ? $"SIG{number}" : null;

    public static int? Number(string name)
    {
        var n = name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name.ToUpperInvariant() : "SIG" + name.ToUpperInvariant();
        var i = Array.IndexOf(Names, n);
        return i > 0 ? i : null;
    }

    /// <summary>Signals a process raises on itself by faulting (a crash), as opposed to being sent one.</summary>
    public static bool IsFault(int number) => number is 4 or 5 or 6 or 7 or 8 or 11 or 31;

    /// <summary>WorkerCrashed for fault signals, WorkerKilled for the rest.</summary>
    public static BackendEventKind DeathKind(int number) => IsFault(number) ? BackendEventKind.WorkerCrashed : BackendEventKind.WorkerKilled;
}
