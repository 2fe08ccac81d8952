namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// One word of a statement. <see cref="Value"/> is what nginx sees (escapes applied as
/// ngx_conf_read_token does); <see cref="Raw"/> is the source slice between the delimiters,
/// kept for crossplane-compatible output and lossless display.
/// </summary>
public readonly record struct NginxWord(string Value, string Raw, char Quote, int Line)
{
    public bool IsQuoted => Quote != '\0';
}
