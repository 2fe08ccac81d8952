using System.Reflection;
using System.Text.Json;

namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>One ngx_command_t entry: where the directive is allowed and how many arguments it takes.</summary>
internal sealed record DirectiveSpec(string Name, HashSet<NginxContext> Contexts, bool IsBlock, string[] ArgFlags);

/// <summary>
/// The nginx OSS directive table (reference/directives-nginx-oss-src.json, extracted from every
/// ngx_command_t array of the nginx source), used to report what ngx_conf_handler reports:
/// unknown directive, not allowed here, missing "{" / ";", invalid number of arguments.
/// </summary>
internal static class DirectiveTable
{
    private static readonly Lazy<Dictionary<string, List<DirectiveSpec>>> Table = new(Load);

    public static IReadOnlyList<DirectiveSpec>? Lookup(string name) =>
        Table.Value.TryGetValue(name, out var l) ? l : null;

    private static Dictionary<string, List<DirectiveSpec>> Load()
    {
        using var s = typeof(DirectiveTable).Assembly.GetManifestResourceStream("NginxUpstream.directives.json")
            ?? throw new InvalidOperationException("embedded directive table missing");
        using var doc = JsonDocument.Parse(s);
        var result = new Dictionary<string, List<DirectiveSpec>>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            var list = new List<DirectiveSpec>();
            foreach (var entry in prop.Value.EnumerateArray())
            {
                var flags = entry.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray();
                var contexts = new HashSet<NginxContext>();
                foreach (var f in flags) if (NginxContexts.FromFlag(f) is { } c) contexts.UnionWith(c);
                list.Add(new DirectiveSpec(prop.Name, contexts, flags.Contains("NGX_CONF_BLOCK"),
                    flags.Where(f => f.StartsWith("NGX_CONF_", StringComparison.Ordinal) && f != "NGX_CONF_BLOCK").ToArray()));
            }
            result[prop.Name] = list;
        }
        return result;
    }

    // The table is nginx master; these (directive, context) pairs arrived later than old releases
    // still in use (changes.xml), so `nginx -t` of those releases rejects them.
    private static readonly Dictionary<(string, NginxContext), Version> SinceTable = new()
    {
        [("resolver", NginxContext.HttpUpstream)] = new(1, 27, 3),
        [("resolver_timeout", NginxContext.HttpUpstream)] = new(1, 27, 3),
        [("resolver", NginxContext.StreamUpstream)] = new(1, 27, 3),
        [("resolver_timeout", NginxContext.StreamUpstream)] = new(1, 27, 3),
        [("keepalive_min_timeout", NginxContext.Http)] = new(1, 27, 4),
        [("keepalive_min_timeout", NginxContext.HttpServer)] = new(1, 27, 4),
        [("keepalive_min_timeout", NginxContext.HttpLocation)] = new(1, 27, 4),
        [("add_header_inherit", NginxContext.Http)] = new(1, 29, 3),
        [("add_header_inherit", NginxContext.HttpServer)] = new(1, 29, 3),
        [("add_header_inherit", NginxContext.HttpLocation)] = new(1, 29, 3),
    };

    public static Version? Since(string name, NginxContext ctx) => SinceTable.TryGetValue((name, ctx), out var v) ? v : null;

    /// <summary>ngx_conf_handler's argument check; <paramref name="nelts"/> counts the name too.</summary>
    public static bool ArgsOk(DirectiveSpec spec, int nelts)
    {
        if (spec.ArgFlags.Length == 0) return true;
        foreach (var f in spec.ArgFlags)
        {
            var ok = f switch
            {
                "NGX_CONF_ANY" => true,
                "NGX_CONF_FLAG" => nelts == 2,
                "NGX_CONF_1MORE" => nelts >= 2,
                "NGX_CONF_2MORE" => nelts >= 3,
                "NGX_CONF_NOARGS" => nelts == 1,
                "NGX_CONF_TAKE1" => nelts == 2,
                "NGX_CONF_TAKE2" => nelts == 3,
                "NGX_CONF_TAKE3" => nelts == 4,
                "NGX_CONF_TAKE4" => nelts == 5,
                "NGX_CONF_TAKE5" => nelts == 6,
                "NGX_CONF_TAKE6" => nelts == 7,
                "NGX_CONF_TAKE7" => nelts == 8,
                "NGX_CONF_TAKE12" => nelts is 2 or 3,
                "NGX_CONF_TAKE13" => nelts is 2 or 4,
                "NGX_CONF_TAKE23" => nelts is 3 or 4,
                "NGX_CONF_TAKE123" => nelts is >= 2 and <= 4,
                "NGX_CONF_TAKE1234" => nelts is >= 2 and <= 5,
                _ => false,
            };
            if (ok) return true;
        }
        return false;
    }
}
