namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Folds a Python traceback (and chained ones) that follows an error line into that event:
/// "Traceback (most recent call last):", indented frames, the exception line, and the
/// "During handling ..." / "The above exception ..." separators. Used by gunicorn and uvicorn.
/// </summary>
internal sealed class PythonTraceback
{
    private bool _sawTraceback;
    private bool _afterException;

    /// <summary>The last exception line ("SystemExit: 1"), null until one was seen.</summary>
    public string? Exception { get; private set; }

    /// <summary>True when <paramref name="text"/> continues the traceback (the caller folds it).</summary>
    public bool Accepts(string text)
    {
        if (text.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal))
        {
            _sawTraceback = true;
            _afterException = false;
            return true;
        }
        if (!_sawTraceback) return false;
        if (text.Length == 0 || text.StartsWith("During handling of the above exception", StringComparison.Ordinal)
            || text.StartsWith("The above exception was the direct cause", StringComparison.Ordinal))
            return true;
        if (_afterException) return false;
        if (text[0] is ' ' or '\t') return true;
        if (IsExceptionLine(text))
        {
            Exception = text;
            _afterException = true;
            return true;
        }
        return false;
    }

    /// <summary>"IndexError: list index out of range", "SystemExit: 1", "KeyboardInterrupt", "urllib3.exceptions.ReadTimeoutError: ...".</summary>
    private static bool IsExceptionLine(string text)
    {
        if (!(char.IsLetter(text[0]) || text[0] == '_')) return false;
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        var name = colon < 0 ? text : text[..colon];
        foreach (var c in name)
            if (!(char.IsLetterOrDigit(c) || c is '_' or '.')) return false;
        return true;
    }
}
