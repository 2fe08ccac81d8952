namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// Where a statement stands, as (module family, level) pairs: the disjoint layout crossplane
/// uses, so that nginx's re-used context bits (NGX_HTTP_MAIN_CONF == NGX_STREAM_MAIN_CONF) and
/// NGX_ANY_CONF (which includes `if` and `limit_except`) are both expressed exactly.
/// </summary>
public enum NginxContext
{
    Main, Events, Http, HttpServer, HttpLocation, HttpUpstream, HttpServerIf, HttpLocationIf,
    HttpLimitExcept, Stream, StreamServer, StreamUpstream, Mail, MailServer,
    /// <summary>Body of map/geo/types/split_clients/charset_map: key/value lines, not directives.</summary>
    ParameterBlock,
    /// <summary>Body of a block nginx does not know: not validated.</summary>
    Unknown,
}

internal static class NginxContexts
{
    /// <summary>The context a block directive opens, given where it stands.</summary>
    public static NginxContext Child(NginxContext parent, string name) => (parent, name) switch
    {
        (NginxContext.Main, "events") => NginxContext.Events,
        (NginxContext.Main, "http") => NginxContext.Http,
        (NginxContext.Main, "stream") => NginxContext.Stream,
        (NginxContext.Main, "mail") => NginxContext.Mail,
        (NginxContext.Http, "server") => NginxContext.HttpServer,
        (NginxContext.Http, "upstream") => NginxContext.HttpUpstream,
        (NginxContext.HttpServer or NginxContext.HttpLocation, "location") => NginxContext.HttpLocation,
        (NginxContext.HttpServer, "if") => NginxContext.HttpServerIf,
        (NginxContext.HttpLocation, "if") => NginxContext.HttpLocationIf,
        (NginxContext.HttpLocation, "limit_except") => NginxContext.HttpLimitExcept,
        (NginxContext.Http or NginxContext.HttpServer or NginxContext.HttpLocation, "types") => NginxContext.ParameterBlock,
        (NginxContext.Http, "map" or "geo" or "split_clients" or "charset_map") => NginxContext.ParameterBlock,
        (NginxContext.Stream, "server") => NginxContext.StreamServer,
        (NginxContext.Stream, "upstream") => NginxContext.StreamUpstream,
        (NginxContext.Stream, "map" or "geo" or "split_clients" or "match") => NginxContext.ParameterBlock,
        (NginxContext.Mail, "server") => NginxContext.MailServer,
        (NginxContext.ParameterBlock, _) => NginxContext.ParameterBlock,
        _ => NginxContext.Unknown,
    };

    /// <summary>The context a flag of ngx_command_t.type allows, or null for a non-context flag.</summary>
    public static NginxContext[]? FromFlag(string flag) => flag switch
    {
        "NGX_MAIN_CONF" => new[] { NginxContext.Main },
        "NGX_EVENT_CONF" => new[] { NginxContext.Events },
        "NGX_HTTP_MAIN_CONF" => new[] { NginxContext.Http },
        "NGX_HTTP_SRV_CONF" => new[] { NginxContext.HttpServer },
        "NGX_HTTP_LOC_CONF" => new[] { NginxContext.HttpLocation },
        "NGX_HTTP_UPS_CONF" => new[] { NginxContext.HttpUpstream },
        "NGX_HTTP_SIF_CONF" => new[] { NginxContext.HttpServerIf },
        "NGX_HTTP_LIF_CONF" => new[] { NginxContext.HttpLocationIf },
        "NGX_HTTP_LMT_CONF" => new[] { NginxContext.HttpLimitExcept },
        "NGX_STREAM_MAIN_CONF" => new[] { NginxContext.Stream },
        "NGX_STREAM_SRV_CONF" => new[] { NginxContext.StreamServer },
        "NGX_STREAM_UPS_CONF" => new[] { NginxContext.StreamUpstream },
        "NGX_MAIL_MAIN_CONF" => new[] { NginxContext.Mail },
        "NGX_MAIL_SRV_CONF" => new[] { NginxContext.MailServer },
        "NGX_ANY_CONF" => Enum.GetValues<NginxContext>(),
        _ => null,
    };
}
