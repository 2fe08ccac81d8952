using System.Management.Automation;
using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Model;

namespace NginxUpstream.Internal;

/// <summary>
/// Gathers Find-ResetCause's input by running the module's own readers in a nested pipeline
/// (Get-NginxUpstreamError, Get-OomKill, Get-ProcessCrash, Get-BackendEvent), so the defaults
/// and formats are exactly theirs; the nginx config and its keepalive findings come from the
/// config engine (ConfigEvidence). A reader that is
/// missing or fails is reported (verbose/warning) and its source counted as not read.
/// </summary>
internal sealed class EvidenceCollector(PSCmdlet cmdlet, TimeZoneInfo? zone, DateTimeOffset? bootTime)
{
    /// <summary>Runs <paramref name="command"/> with <paramref name="parameters"/>; returns its output base objects, or null when it cannot run.</summary>
    public List<object>? Run(string command, IDictionary<string, object?> parameters, string what)
    {
        var info = cmdlet.InvokeCommand.GetCommand(command, CommandTypes.Cmdlet | CommandTypes.Function);
        if (info is null)
        {
            cmdlet.WriteVerbose($"{what}: {command} is not available in this session; not read.");
            return null;
        }
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand(info);
        foreach (var (k, v) in parameters)
            if (info.Parameters.ContainsKey(k)) ps.AddParameter(k, v);
        if (zone is not null && info.Parameters.ContainsKey("TimeZone")) ps.AddParameter("TimeZone", zone);
        if (bootTime is not null && info.Parameters.ContainsKey("BootTime")) ps.AddParameter("BootTime", bootTime);
        // In the current runspace a nested command's warnings go straight to the host, past the
        // caller's -WarningAction and -WarningVariable (its error stream is collected, its warning
        // stream is not): they are kept in a variable of their own and written as this cmdlet's.
        var warnings = "NginxUpstreamNestedWarnings_" + Guid.NewGuid().ToString("N");
        if (info.Parameters.ContainsKey("WarningVariable"))
        {
            ps.AddParameter("WarningAction", ActionPreference.SilentlyContinue);
            ps.AddParameter("WarningVariable", warnings);
        }
        List<object> output;
        try
        {
            output = ps.Invoke().Where(o => o is not null).Select(o => o.BaseObject).ToList();
        }
        catch (RuntimeException e)
        {
            RelayWarnings(warnings, what);
            cmdlet.WriteWarning($"{what}: {command} failed: {e.Message}");
            return null;
        }
        foreach (var err in ps.Streams.Error)
            cmdlet.WriteWarning($"{what}: {err.Exception?.Message ?? err.ToString()}");
        foreach (var w in ps.Streams.Warning) cmdlet.WriteWarning($"{what}: {w.Message}");
        RelayWarnings(warnings, what);
        cmdlet.WriteVerbose($"{what}: {command} returned {output.Count} record(s).");
        return output;
    }

    private void RelayWarnings(string variable, string what)
    {
        if (cmdlet.SessionState.PSVariable.GetValue(variable) is System.Collections.IEnumerable captured)
            foreach (var w in captured)
                cmdlet.WriteWarning($"{what}: {(w as WarningRecord)?.Message ?? w?.ToString()}");
        cmdlet.SessionState.PSVariable.Remove(variable);
    }

    /// <summary>Evidence is read this far before the first failure and after the last.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);

    /// <summary>This host's evidence around <paramref name="failures"/> (none read when there are none).</summary>
    public void AroundFailures(EvidenceSet set, IReadOnlyCollection<UpstreamError> failures)
    {
        if (failures.Count > 0) FromHost(set, failures.Min(e => e.Time) - Margin, failures.Max(e => e.Time) + Margin);
    }

    /// <summary>This host's evidence, with each reader's defaults, limited to the errors' time span.</summary>
    public void FromHost(EvidenceSet set, DateTimeOffset? from, DateTimeOffset? to)
    {
        var range = new Dictionary<string, object?>();
        if (from is not null) range["Since"] = from;
        if (to is not null) range["Until"] = to;
        Add(set, Run("Get-OomKill", range, "kernel log (OOM kills)"), kernel: true);
        Add(set, Run("Get-ProcessCrash", range, "kernel log (crashes)"), kernel: true);
        Add(set, Run("Get-BackendEvent", range, "backend logs"), backend: true);
        var config = Guard("nginx configuration", () => ConfigEvidence.LoadHost(out var reason) is { } c ? c : throw new IOException(reason ?? "no nginx -T and no " + NginxUpstream.Parsing.NginxConfig.NginxConfigLoader.DefaultPath));
        if (config is not null) AddConfig(set, config);
    }

    private void AddConfig(EvidenceSet set, NginxUpstream.Model.NginxConfig config)
    {
        ConfigEvidence.AddTo(set, config);
        foreach (var e in config.Errors) cmdlet.WriteWarning($"nginx configuration: {e}");
        cmdlet.WriteVerbose(set.SourceNotes[^1] + ".");
    }

    private T? Guard<T>(string what, Func<T> load) where T : class
    {
        try { return load(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            cmdlet.WriteWarning($"{what}: not read ({e.Message}).");
            return null;
        }
    }

    /// <summary>Evidence from a bundle's classified files.</summary>
    public void FromBundle(EvidenceSet set, IReadOnlyList<BundleFile> files)
    {
        string[] Paths(params BundleFileKind[] kinds) => files.Where(f => kinds.Contains(f.Kind)).Select(f => f.Path).ToArray();
        var kernel = Paths(BundleFileKind.KernelLogWallClock, BundleFileKind.KernelLogBootRelative);
        if (kernel.Length > 0)
        {
            Add(set, Run("Get-OomKill", Lit(kernel), "kernel log (OOM kills)"), kernel: true);
            Add(set, Run("Get-ProcessCrash", Lit(kernel), "kernel log (crashes)"), kernel: true);
        }
        var backend = Paths(BundleFileKind.BackendLog);
        if (backend.Length > 0) Add(set, Run("Get-BackendEvent", Lit(backend), "backend logs"), backend: true);
        foreach (var dump in Paths(BundleFileKind.NginxConfigDump))
            if (Guard("nginx -T dump", () => ConfigEvidence.LoadDump(dump)) is { } c) AddConfig(set, c);
        foreach (var conf in Paths(BundleFileKind.NginxConfig))
            if (Guard("nginx configuration", () => ConfigEvidence.LoadFile(conf)) is { } c) AddConfig(set, c);
    }

    /// <summary>The errors of a bundle (every line, so body-buffering warnings come too).</summary>
    public List<UpstreamError> ErrorsFromFiles(string[]? paths)
    {
        var p = new Dictionary<string, object?> { ["All"] = SwitchParameter.Present };
        if (paths is not null) p["LiteralPath"] = paths;
        return (Run("Get-NginxUpstreamError", p, paths is null ? "nginx error log (default)" : "nginx error log") ?? new List<object>())
            .OfType<UpstreamError>().ToList();
    }

    private static Dictionary<string, object?> Lit(params string[] paths) => new() { ["LiteralPath"] = paths };

    private void Add(EvidenceSet set, List<object>? records, bool kernel = false, bool backend = false, bool config = false)
    {
        if (records is null) return;
        if (kernel) set.KernelLogRead = true;
        if (backend) set.BackendLogRead = true;
        if (config) set.ConfigRead = true;
        var skipped = 0;
        foreach (var r in records)
            if (!set.Add(r)) skipped++;
        if (skipped > 0) cmdlet.WriteVerbose($"{skipped} record(s) of other types ignored.");
    }
}
