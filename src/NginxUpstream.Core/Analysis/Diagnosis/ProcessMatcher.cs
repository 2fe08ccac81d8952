using System.Text.RegularExpressions;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>How well a killed or crashed process matches the backend behind the upstream.</summary>
public readonly record struct ProcessMatch(double Strength, string Why);

/// <summary>
/// Decides whether a process named in the kernel log is the backend: by pid (a pid the backend's
/// own log names, or one the user gave), by name, or by systemd unit / cgroup. Kernel pids are
/// global, so a containerised backend is matched by its cgroup rather than its pid.
/// </summary>
public sealed class ProcessMatcher
{
    /// <summary>Process names of the app servers nginx usually proxies to.</summary>
    public static readonly IReadOnlyList<string> DefaultBackendNames = new[]
    {
        "gunicorn*", "python*", "uwsgi*", "php-fpm*", "php*-fpm*", "uvicorn*", "node*", "puma*", "ruby*", "java*",
        "dotnet*", "hypercorn*", "daphne*", "waitress*", "unicorn*", "passenger*", "rails*", "bundle*", "celery*", "perl*",
    };

    private readonly IReadOnlyDictionary<int, BackendEvent> _backendPids;
    private readonly List<Regex> _userNames;
    private readonly List<Regex> _userUnits;
    private readonly HashSet<int> _userPids;
    private static readonly List<Regex> DefaultNames = DefaultBackendNames.Select(Wildcard).ToList();

    public ProcessMatcher(DiagnosisOptions options, IEnumerable<BackendEvent> backendEvents) : this(options, PidsOf(backendEvents)) { }

    /// <summary>With the backend's pids indexed once for all incidents.</summary>
    public ProcessMatcher(DiagnosisOptions options, IReadOnlyDictionary<int, BackendEvent> backendPids)
    {
        _backendPids = backendPids;
        _userNames = options.ProcessNames.Select(Wildcard).ToList();
        _userUnits = options.Units.Select(Wildcard).ToList();
        _userPids = options.ProcessIds.ToHashSet();
    }

    public ProcessMatch Match(int? pid, string? name, params string?[] unitsOrCgroups)
    {
        if (name is not null && name.StartsWith("nginx", StringComparison.Ordinal))
            return new(0, $"{name} is nginx itself, not the backend");
        if (pid is int p && _userPids.Contains(p)) return new(1, $"pid {p} is a backend pid given with -ProcessId");
        if (pid is int q && _backendPids.TryGetValue(q, out var ev))
            return new(1, $"pid {q} is a {ev.Backend} process in the backend log ({ev.Origin})");
        if (name is not null && _userNames.Any(r => r.IsMatch(name))) return new(1, $"{name} matches -ProcessName");
        foreach (var u in unitsOrCgroups)
            if (u is not null && _userUnits.Any(r => r.IsMatch(u) || r.IsMatch(LastSegment(u))))
                return new(1, $"{u} matches -Unit");
        if (name is not null && DefaultNames.Any(r => r.IsMatch(name))) return new(0.8, $"{name} is an application server process");
        foreach (var u in unitsOrCgroups)
            if (u is not null && DefaultNames.Any(r => r.IsMatch(LastSegment(u)))) return new(0.8, $"its unit/cgroup {u} looks like an application server");
        return new(0.3, $"{name ?? "the process"} is not known to be the backend");
    }

    /// <summary>Every pid (worker or master) the backend log names, with its first record.</summary>
    public static Dictionary<int, BackendEvent> PidsOf(IEnumerable<BackendEvent> events)
    {
        var d = new Dictionary<int, BackendEvent>();
        foreach (var b in events)
        {
            if (b.ProcessId is int p) d.TryAdd(p, b);
            if (b.MasterProcessId is int m) d.TryAdd(m, b);
        }
        return d;
    }

    private static string LastSegment(string s) => s.TrimEnd('/').Split('/')[^1];

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
