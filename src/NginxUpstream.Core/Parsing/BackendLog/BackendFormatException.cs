namespace NginxUpstream.Parsing.BackendLog;

/// <summary>No backend format was recognised in a log's first lines (the cmdlet's BackendFormatNotDetected).</summary>
public sealed class BackendFormatException(string source, int linesSampled)
    : IOException($"Could not tell which backend wrote '{source}': none of the gunicorn, php-fpm, uWSGI, Puma, Tomcat, uvicorn or Node formats matched its first {linesSampled} lines.")
{
    public string LogSource => source;
}
