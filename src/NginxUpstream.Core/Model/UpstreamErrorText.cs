namespace NginxUpstream.Model;

/// <summary>The text fields of an <see cref="UpstreamError"/>, decoded together on first use.</summary>
internal sealed class UpstreamErrorText
{
    public string? Line;
    public string Message = "";
    public string? Syscall, ErrnoText, Action, Client, Server, Request, Method, Uri, Protocol, Subrequest, Upstream,
        UpstreamScheme, UpstreamAddress, Host, Referrer, UpstreamUri, UpstreamHost, UpstreamSocket, SslError;
    public IReadOnlyDictionary<string, string>? Extra;
}

/// <summary>Turns a record's raw bytes into its text fields (the error-log engine implements it).</summary>
internal interface IUpstreamErrorDecoder
{
    UpstreamErrorText Decode(byte[] raw);
}
