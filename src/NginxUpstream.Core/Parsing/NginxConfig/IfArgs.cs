namespace NginxUpstream.Parsing.NginxConfig;

/// <summary>
/// `if ($a = b)` tokenizes as "($a", "=", "b)"; like crossplane's _prepare_if_args, strip one
/// "(" from the first word and one ")" from the last and drop words that become empty.
/// </summary>
public static class IfArgs
{
    public static string[] Normalize(IEnumerable<string> words)
    {
        var a = words.ToList();
        if (a.Count > 0 && a[0].StartsWith('(') && a[^1].EndsWith(')'))
        {
            a[0] = a[0][1..];
            a[^1] = a[^1][..^1];
            a.RemoveAll(s => s.Length == 0);
        }
        return a.ToArray();
    }
}
