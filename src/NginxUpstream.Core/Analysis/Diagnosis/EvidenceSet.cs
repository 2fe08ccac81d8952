using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// Everything besides the errors themselves that the analysis may cite. The *Read flags say
/// whether a source was consulted at all: "no OOM kill in the kernel log" is evidence only when
/// the kernel log was read, and the next step names the sources that were not.
/// </summary>
public sealed class EvidenceSet
{
    public List<OomKill> OomKills { get; } = new();
    public List<ProcessCrash> Crashes { get; } = new();
    public List<BackendEvent> BackendEvents { get; } = new();
    public List<ConfigFinding> ConfigFindings { get; } = new();
    public List<NginxDirective> Directives { get; } = new();
    /// <summary>error.log records that are not failures but explain them (body buffered to a temp file, ...).</summary>
    public List<UpstreamError> Companions { get; } = new();

    public bool KernelLogRead { get; set; }
    public bool BackendLogRead { get; set; }
    public bool ConfigRead { get; set; }

    /// <summary>Human-readable notes on what was read ("kernel log: journalctl -k (2 OOM kills)").</summary>
    public List<string> SourceNotes { get; } = new();

    /// <summary>Files of the evidence, for the notes.</summary>
    public HashSet<string> Sources { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds any supported record; returns false for anything else.</summary>
    public bool Add(object record)
    {
        switch (record)
        {
            case OomKill o: OomKills.Add(o); KernelLogRead = true; Note(o.Source); return true;
            case ProcessCrash c: Crashes.Add(c); KernelLogRead = true; Note(c.Source); return true;
            case BackendEvent b: BackendEvents.Add(b); BackendLogRead = true; Note(b.Source); return true;
            case ConfigFinding f: ConfigFindings.Add(f); ConfigRead = true; Note(f.File); return true;
            case NginxDirective d: Directives.Add(d); ConfigRead = true; return true;
            case UpstreamError e: Companions.Add(e); Note(e.Source); return true;
            default: return false;
        }
    }

    private void Note(string? source) { if (source is not null) Sources.Add(source); }

    /// <summary>The same kill or crash read from two kernel sources (dmesg and journal) counts once.</summary>
    public void DedupeKernel()
    {
        var seen = new HashSet<(int?, string?, long)>();
        OomKills.RemoveAll(k => !seen.Add((k.ProcessId, k.ProcessName, (k.Time?.UtcTicks ?? 0) / TimeSpan.TicksPerSecond / 5)));
        seen.Clear();
        Crashes.RemoveAll(c => !seen.Add((c.ProcessId, c.ProcessName, (c.Time?.UtcTicks ?? 0) / TimeSpan.TicksPerSecond / 5)));
    }
}
