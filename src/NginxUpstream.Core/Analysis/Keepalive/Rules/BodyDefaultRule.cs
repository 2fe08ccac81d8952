using System.Text.RegularExpressions;
using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Keepalive.Rules;

/// <summary>
/// BODY-DEFAULT: an upload-like proxied location inherits the 1m default client_max_body_size.
/// </summary>
/// <remarks>
/// Most proxied locations never see large bodies, so the heuristic stays conservative: a location
/// fires when the user tagged it (-UploadLocation), or on one strong hint (a URI word containing
/// "upload", or import/attachment; request-body tuning set in the location itself:
/// client_body_buffer_size/_temp_path/_in_file_only/_in_single_buffer/_timeout or
/// *_request_buffering off), or on two weak hints (a URI word such as media/files/images; a
/// limit_except that allows write methods but not GET). Any explicit client_max_body_size in the
/// chain, whatever its value, is a decision and silences the rule.
/// </remarks>
public sealed class BodyDefaultRule : KeepaliveRule
{
    public override string Id => "BODY-DEFAULT";
    public override FindingSeverity Severity => FindingSeverity.Info;
    public override string Title => "Upload location inherits the 1m default client_max_body_size";
    public override string Why => "nginx answers 413 Request Entity Too Large for bodies over 1 MiB and logs `client intended to send too large body`; the backend never sees the request.";

    private static readonly HashSet<string> StrongWords = new(StringComparer.Ordinal) { "import", "imports", "attachment", "attachments" };
    private static readonly HashSet<string> WeakWords = new(StringComparer.Ordinal) { "media", "file", "files", "images", "photos", "avatar", "avatars", "blob", "blobs" };
    private static readonly string[] BodyTuning = { "client_body_buffer_size", "client_body_temp_path", "client_body_in_file_only", "client_body_in_single_buffer", "client_body_timeout" };
    private static readonly HashSet<string> WriteMethods = new(StringComparer.OrdinalIgnoreCase) { "POST", "PUT", "PATCH" };
    private static readonly Regex Word = new("[a-z]+", RegexOptions.CultureInvariant);

    public override IEnumerable<ConfigFinding> Evaluate(RuleContext ctx)
    {
        var tags = ctx.Options.UploadLocations.Select(Glob).ToList();
        foreach (var use in ctx.Model.Uses)
        {
            if (ConfigModel.Effective(use.Levels, "client_max_body_size") is not null) continue;
            var locations = use.Levels.Where(l => l.Name == "location" && l.Args.Count > 0).ToList();
            if (locations.Count == 0) continue;
            var inner = locations[^1];
            var reasons = new List<string>();
            var involved = new List<NginxDirective> { use.Pass };
            var strong = false;
            var weak = 0;

            var tagged = locations.FirstOrDefault(l => tags.Any(t => t.IsMatch(l.Args[^1])));
            if (tagged is not null) { reasons.Add($"tagged by -UploadLocation ('location {string.Join(' ', tagged.Args)}')"); involved.Add(tagged); }

            var words = locations.SelectMany(l => Word.Matches(l.Args[^1].ToLowerInvariant()).Select(m => m.Value)).Distinct().ToList();
            if (words.FirstOrDefault(w => w.Contains("upload", StringComparison.Ordinal) || StrongWords.Contains(w)) is { } sw) { strong = true; reasons.Add($"its URI says '{sw}'"); }
            else if (words.FirstOrDefault(WeakWords.Contains) is { } ww) { weak++; reasons.Add($"its URI says '{ww}'"); }

            var tuning = BodyTuning.Select(n => ConfigModel.ChildrenNamed(inner, n).LastOrDefault()).FirstOrDefault(d => d is not null)
                ?? ConfigModel.ChildrenNamed(inner, use.Module + "_request_buffering").LastOrDefault(d => d.Args.FirstOrDefault()?.Equals("off", StringComparison.OrdinalIgnoreCase) == true);
            if (tuning is not null) { strong = true; reasons.Add($"it tunes request bodies ({tuning.Name} {string.Join(' ', tuning.Args)}, {ConfigModel.Loc(tuning)})"); involved.Add(tuning); }

            var writeOnly = ConfigModel.ChildrenNamed(inner, "limit_except").FirstOrDefault(le => le.Args.Any(WriteMethods.Contains) && !le.Args.Any(a => a.Equals("GET", StringComparison.OrdinalIgnoreCase)));
            if (writeOnly is not null) { weak++; reasons.Add($"limit_except {string.Join(' ', writeOnly.Args)} ({ConfigModel.Loc(writeOnly)}) makes it a write endpoint"); involved.Add(writeOnly); }

            if (tagged is null && !strong && weak < 2) continue;
            var fix = ctx.Profile(use.Upstream)?.BodyLimit is long bb && bb > 0
                ? $"client_max_body_size {Math.Max(1, bb / (1024 * 1024))}m;   # in '{use.Path}': the backend's limit"
                : $"client_max_body_size 100m;   # in '{use.Path}': the largest upload it must accept (0 = no limit)";
            yield return Finding(use.Pass, $"'{use.Path}' looks like an upload endpoint ({string.Join("; ", reasons)}) and inherits the default client_max_body_size 1m.",
                fix, involved, use.Upstream, use.Path, usedBy: new[] { use.Path });
        }
    }

    /// <summary>A -UploadLocation pattern: * and ? wildcards over the whole URI, case-insensitive.</summary>
    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
