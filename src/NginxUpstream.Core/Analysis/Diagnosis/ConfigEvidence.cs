using NginxUpstream.Analysis.Keepalive;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxConfig;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// The nginx side of the evidence: the directive tree (which upstream{} lists which peer) and the
/// keepalive lint findings, from an nginx -T dump, a config file, or this host's nginx. The
/// backend profile for the lint is the user's, else the default of the backend kind the backend
/// log revealed (gunicorn keeps idle connections 2 s, ...), else unknown.
/// </summary>
public static class ConfigEvidence
{
    public static NginxConfig LoadDump(string path) => NginxConfigLoader.LoadDump(File.ReadAllText(path), sourceLabel: path);

    public static NginxConfig LoadFile(string path) => NginxConfigLoader.LoadFile(path);

    /// <summary>This host's configuration from `nginx -T`, else the default file; null with a reason when neither works.</summary>
    public static NginxConfig? LoadHost(out string? reason)
    {
        var dump = NginxConfigLoader.RunDump(out reason);
        if (dump is not null) return NginxConfigLoader.LoadDump(dump, sourceLabel: "nginx -T");
        if (File.Exists(NginxConfigLoader.DefaultPath)) { reason = null; return NginxConfigLoader.LoadFile(NginxConfigLoader.DefaultPath); }
        return null;
    }

    /// <summary>Adds the config's directives and keepalive findings to <paramref name="set"/>.</summary>
    public static void AddTo(EvidenceSet set, NginxConfig config, BackendProfile? profile = null)
    {
        set.ConfigRead = true;
        set.Directives.AddRange(config.Directives);
        profile ??= ProfileFromBackendLog(set);
        var findings = KeepaliveLinter.Lint(config, new KeepaliveLintOptions { NginxVersion = config.NginxVersion, Backend = profile });
        set.ConfigFindings.AddRange(findings);
        set.SourceNotes.Add($"nginx config {config.Source}: {findings.Count} keepalive findings" + (profile is null ? "" : $" (backend profile {profile.Name})"));
    }

    /// <summary>The documented defaults of the backend the backend log shows, when it shows exactly one kind.</summary>
    public static BackendProfile? ProfileFromBackendLog(EvidenceSet set)
    {
        var kinds = set.BackendEvents.Select(b => b.Backend).Where(k => k != BackendKind.Unknown).Distinct().ToList();
        if (kinds.Count != 1) return null;
        var name = kinds[0] switch
        {
            BackendKind.Gunicorn => "gunicorn", BackendKind.Uvicorn => "uvicorn", BackendKind.Node => "node", BackendKind.Puma => "puma",
            BackendKind.Tomcat => "tomcat", BackendKind.PhpFpm => "php-fpm", BackendKind.Uwsgi => "uwsgi", _ => null,
        };
        return name is not null && BackendProfile.Known.TryGetValue(name, out var p) ? p : null;
    }
}
