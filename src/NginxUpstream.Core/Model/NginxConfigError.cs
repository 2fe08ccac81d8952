namespace NginxUpstream.Model;

/// <summary>How serious a configuration error is for nginx.</summary>
public enum NginxConfigErrorKind
{
    /// <summary>The tokenizer or block structure failed; nginx stops reading there.</summary>
    Syntax,
    /// <summary>An include could not be read, matched a cycle, or similar.</summary>
    Include,
    /// <summary>Directive table checks (unknown directive, wrong context, argument count).</summary>
    Directive,
}

/// <summary>
/// An error as nginx reports it: the message, then " in FILE:LINE" where LINE is the line the
/// reader was on (the terminating ';' or '{' for directive errors), like `nginx -t`.
/// </summary>
public sealed record NginxConfigError(string Message, string? File, int Line, NginxConfigErrorKind Kind)
{
    public override string ToString() => File is null ? Message : $"{Message} in {File}:{Line}";
}
