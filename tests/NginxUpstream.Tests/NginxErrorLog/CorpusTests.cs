using NginxUpstream.Parsing;
using System.Globalization;
using System.Text;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>Every record of the shared nginx error.log corpus, field by field.</summary>
public class CorpusTests
{
    private static readonly Lazy<Dictionary<long, UpstreamError>> Parsed = new(() =>
    {
        var reader = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc };
        return reader.ReadFile(TestPaths.Corpus("nginx-error-log", "corpus.log")).ToDictionary(e => e.LineNumber);
    });

    public static IEnumerable<object[]> Rows => CorpusRow.All.Select(r => new object[] { r.Rec });

    private static CorpusRow Row(string rec) => CorpusRow.All.Single(r => r.Rec == rec);

    /// <summary>The corpus's own message classes on our semantic kinds (see UpstreamErrorKind).</summary>
    public static UpstreamErrorKind ExpectedKind(string kind, string syscall, string? errnoName) => kind switch
    {
        "connect_failed" => errnoName switch
        {
            "ECONNREFUSED" => UpstreamErrorKind.Refused,
            "ETIMEDOUT" => UpstreamErrorKind.TimedOut,
            "ECONNRESET" => UpstreamErrorKind.Reset,
            "EHOSTUNREACH" or "ENETUNREACH" or "EHOSTDOWN" or "ENETDOWN" => UpstreamErrorKind.Unreachable,
            _ => UpstreamErrorKind.ConnectFailed,
        },
        "upstream_timed_out" => UpstreamErrorKind.TimedOut,
        "client_timed_out" or "connection_timed_out" => UpstreamErrorKind.ClientTimedOut,
        "upstream_prematurely_closed" or "fastcgi_prematurely_closed" => UpstreamErrorKind.PrematureClose,
        "no_live_upstreams" => UpstreamErrorKind.NoLiveUpstreams,
        "upstream_server_temporarily_disabled" => UpstreamErrorKind.ServerDisabled,
        "upstream_sent_too_big_header" => UpstreamErrorKind.TooBigHeader,
        "upstream_sent_invalid_header" or "upstream_sent_no_valid_http_header" or "upstream_sent_duplicate_header"
            or "upstream_sent_cl_and_te" or "upstream_sent_unknown_te" or "upstream_sent_invalid_content_length"
            or "upstream_sent_invalid_status" => UpstreamErrorKind.InvalidHeader,
        "upstream_sent_invalid_chunked_response" or "upstream_sent_more_data" or "upstream_http2_protocol_error" => UpstreamErrorKind.InvalidResponse,
        "fastcgi_stderr" => UpstreamErrorKind.FastCgiStderr,
        "ssl_peer_closed_in_handshake" => UpstreamErrorKind.SslHandshake,
        "ssl_cert_verify_error" or "ssl_cert_name_mismatch" => UpstreamErrorKind.SslCertificate,
        "ssl_call_failed" when syscall == "SSL_do_handshake" => UpstreamErrorKind.SslHandshake,
        "could_not_be_resolved" => UpstreamErrorKind.Resolver,
        "client_prematurely_closed" or "client_closed_connection" => UpstreamErrorKind.ClientClosed,
        "upstream_response_buffered_to_temp_file" => UpstreamErrorKind.ResponseBuffered,
        "client_body_buffered_to_temp_file" => UpstreamErrorKind.BodyBuffered,
        "worker_connections_not_enough" => UpstreamErrorKind.WorkerConnections,
        "host_not_found_in_upstream" => UpstreamErrorKind.HostNotFound,
        "syscall_failed" or "ssl_call_failed" => errnoName switch
        {
            "ECONNRESET" => UpstreamErrorKind.Reset,
            "ECONNREFUSED" => UpstreamErrorKind.Refused,
            "ETIMEDOUT" => UpstreamErrorKind.TimedOut,
            "EPIPE" => UpstreamErrorKind.BrokenPipe,
            "EHOSTUNREACH" or "ENETUNREACH" or "EHOSTDOWN" or "ENETDOWN" => UpstreamErrorKind.Unreachable,
            _ => UpstreamErrorKind.SyscallFailed,
        },
        _ => UpstreamErrorKind.Other,
    };

    /// <summary>The expected bytes as the engine decodes them (UTF-8 when valid, else byte-per-char).</summary>
    private static string Text(CorpusRow row, string column) => StringPool.Decode(row.Bytes(column));

    [Theory]
    [MemberData(nameof(Rows))]
    public void RecordMatchesExpectedFields(string rec)
    {
        var row = Row(rec);
        var line = long.Parse(row["line"], CultureInfo.InvariantCulture);
        Assert.True(Parsed.Value.TryGetValue(line, out var e), $"no record at line {line}");
        Assert.Equal(int.Parse(row["nlines"], CultureInfo.InvariantCulture), e!.Line!.Count(c => c == '\n') + 1);
        Assert.Equal(row["time"], e.Time.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.Equal(row["level"], e.Level.ToString().ToLowerInvariant());
        Assert.Equal(row["pid"], e.ProcessId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(row["tid"], e.ThreadId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(row["conn"], e.ConnectionId?.ToString(CultureInfo.InvariantCulture) ?? "");
        Assert.Equal(Text(row, "message"), e.Message);
        Assert.Equal(row["syscall"], e.Syscall ?? "");
        Assert.Equal(row["errno"], e.Errno?.ToString(CultureInfo.InvariantCulture) ?? "");
        Assert.Equal(Text(row, "errno_text"), e.ErrnoText ?? "");
        Assert.Equal(Text(row, "phase"), e.Action ?? "");
        Assert.Equal(row["ctx"], e.ContextKind.ToString().ToLowerInvariant());
        Assert.Equal(Text(row, "client"), e.Client ?? "");
        Assert.Equal(Text(row, "server"), e.Server ?? "");
        Assert.Equal(Text(row, "method"), e.Method ?? "");
        Assert.Equal(Text(row, "uri"), e.Uri ?? "");
        Assert.Equal(Text(row, "protocol"), e.Protocol ?? "");
        Assert.Equal(Text(row, "subrequest"), e.Subrequest ?? "");
        Assert.Equal(Text(row, "upstream"), e.Upstream ?? "");
        Assert.Equal(Text(row, "host"), e.Host ?? "");
        Assert.Equal(Text(row, "referrer"), e.Referrer ?? "");
        Assert.Equal(row["truncated"] == "1", e.Truncated);
        var expectedExtra = row["extra"].Length == 0
            ? new SortedDictionary<string, string>()
            : new SortedDictionary<string, string>(Text(row, "extra").Split(';').Select(kv => kv.Split('=', 2)).ToDictionary(a => a[0], a => a[1]));
        Assert.Equal(expectedExtra, new SortedDictionary<string, string>((IDictionary<string, string>?)e.Extra?.ToDictionary(p => p.Key, p => p.Value) ?? new Dictionary<string, string>()));
        var errnoName = row["errno"].Length == 0 ? null : Errnos.Name(int.Parse(row["errno"], CultureInfo.InvariantCulture), Text(row, "errno_text"));
        Assert.Equal(errnoName, e.ErrnoName);
        Assert.Equal(ExpectedKind(row["kind"], row["syscall"], errnoName), e.Kind);
    }

    [Fact]
    public void EveryRecordOfTheCorpusIsFoundAndNothingElse()
    {
        var stats = new ReadStats();
        var all = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc }.ReadFile(TestPaths.Corpus("nginx-error-log", "corpus.log"), stats).ToList();
        Assert.Equal(CorpusRow.All.Count, all.Count);
        Assert.Equal(127, stats.LinesRead);
        Assert.Equal(0, stats.SkippedTotal);
    }

    [Theory]
    [InlineData("11", ErrorSide.Upstream, "ECONNRESET")] // recv 104 reading response header
    [InlineData("129", ErrorSide.Upstream, "ECONNRESET")] // FreeBSD 54
    [InlineData("128", ErrorSide.Upstream, "ECONNREFUSED")] // kevent, BSD 61
    [InlineData("132", ErrorSide.Upstream, "EHOSTUNREACH")] // musl text
    [InlineData("131", ErrorSide.Upstream, "ETIMEDOUT")] // musl "Operation timed out"
    [InlineData("77", ErrorSide.Upstream, "ETIMEDOUT")] // upstream timed out, logged at info (upgraded)
    [InlineData("78", ErrorSide.Upstream, "ECONNRESET")] // upgraded, [error]: the upstream socket
    [InlineData("149", ErrorSide.Client, "ECONNRESET")] // writev while sending to client, [info]
    [InlineData("108", ErrorSide.Client, "ECONNRESET")]
    [InlineData("37", ErrorSide.Client, null)]
    [InlineData("1", ErrorSide.None, null)]
    [InlineData("101", ErrorSide.None, null)] // body buffered: context, not an upstream failure
    [InlineData("154", ErrorSide.None, "EMFILE")]
    public void SideAndErrnoName(string rec, ErrorSide side, string? errnoName)
    {
        var e = Parsed.Value[long.Parse(Row(rec)["line"], CultureInfo.InvariantCulture)];
        Assert.Equal(side, e.Side);
        Assert.Equal(side == ErrorSide.Upstream, e.IsUpstreamRelated);
        Assert.Equal(errnoName, e.ErrnoName);
    }

    [Theory]
    [InlineData("4", "http", "127.0.0.1:19001", "127.0.0.1", 19001, null, "/refused/api/v1/users?id=42")]
    [InlineData("6", "http", "[::1]:19001", "::1", 19001, null, "/refused6/health")]
    [InlineData("39", "fastcgi", "unix:/srv/lab/run/php-fpm.sock", null, null, "/srv/lab/run/php-fpm.sock", null)]
    [InlineData("62", "http", "unix:/srv/lab/run/app.sock", null, null, "/srv/lab/run/app.sock", "/backend/x?y=1")]
    [InlineData("143", "http", "unix:/run/gunicorn.sock", null, null, "/run/gunicorn.sock", "/api/report?year=2024")] // timeout: ':' lost
    [InlineData("31", "http", "backend_pool", "backend_pool", null, null, "/pool/c")]
    [InlineData("84", null, "127.0.0.1:19001", "127.0.0.1", 19001, null, null)] // stream: no scheme
    [InlineData("89", null, "unix:/srv/lab/run/nonexistent.sock", null, null, "/srv/lab/run/nonexistent.sock", null)]
    [InlineData("96", null, "127.0.0.1:19001", "127.0.0.1", 19001, null, null)] // mail, unquoted
    public void UpstreamAddressIsSplit(string rec, string? scheme, string address, string? host, int? port, string? socket, string? uri)
    {
        var e = Parsed.Value[long.Parse(Row(rec)["line"], CultureInfo.InvariantCulture)];
        Assert.Equal(scheme, e.UpstreamScheme);
        Assert.Equal(address, e.UpstreamAddress);
        Assert.Equal(host, e.UpstreamHost);
        Assert.Equal(port, e.UpstreamPort);
        Assert.Equal(socket, e.UpstreamSocket);
        Assert.Equal(uri, e.UpstreamUri);
    }

    [Fact]
    public void NonUtf8BytesSurvive()
    {
        var bytes = Encoding.ASCII.GetBytes("2026/11/27 00:18:20 [error] 1#1: *2 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: x, request: \"GET /a HTTP/1.1\", upstream: \"http://127.0.0.1:1/a\", host: \"h\", referrer: \"r")
            .Concat(new byte[] { 0xff, 0xfe, (byte)'"' }).ToArray();
        var e = new NginxErrorLogReader().Parse(bytes)!;
        Assert.Equal("r\u00ff\u00fe", e.Referrer);
        Assert.Equal(UpstreamErrorKind.PrematureClose, e.Kind);
    }
}
