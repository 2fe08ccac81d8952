using System.Globalization;
using System.Text;

namespace ErrorLogBench;

/// <summary>
/// A deterministic error.log of a busy reverse proxy (fixed seed, fixed clock): mostly upstream
/// failures of every common kind, interleaved with the client-side and buffering noise a real
/// log has at info/warn, a few multi-line FastCGI records, two workers slightly out of order.
/// </summary>
internal static class Generator
{
    /// <summary>The last timestamp of the file (UTC wall clock; read it with -TimeZone UTC).</summary>
    public static readonly DateTime End = new(2026, 11, 26, 23, 59, 59);

    private static readonly string[] Paths =
    {
        "/api/v1/orders", "/api/v1/users/42", "/login", "/cart/add", "/static/app.js", "/healthz", "/search?q=shoes&page=2",
        "/wp-admin/admin-ajax.php", "/graphql", "/upload", "/v2/export?format=csv", "/",
    };
    private static readonly string[] Upstreams = { "10.0.3.7:8080", "10.0.3.8:8080", "127.0.0.1:8000", "unix:/run/gunicorn.sock:" };

    public static (long Lines, long Bytes) Write(string path, long lines)
    {
        var rnd = new Random(20261127);
        var start = End.AddSeconds(-lines / 35.0); // ~35 lines a second
        var sb = new StringBuilder(512);
        long written = 0, n = 0;
        long conn = 1000;
        using var fs = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var buf = new byte[8192];
        while (n < lines)
        {
            var t = start.AddTicks((long)((End - start).Ticks * ((double)n / lines)));
            // The other worker's cached clock lags by up to a second.
            if (rnd.Next(10) == 0) t = t.AddSeconds(-1);
            var ts = t.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
            var pid = rnd.Next(2) == 0 ? 2817 : 2818;
            conn += 1 + rnd.Next(3);
            var client = $"10.{rnd.Next(4)}.{rnd.Next(256)}.{rnd.Next(1, 255)}";
            var uri = Paths[rnd.Next(Paths.Length)];
            var method = rnd.Next(4) == 0 ? "POST" : "GET";
            var up = Upstreams[rnd.Next(Upstreams.Length)];
            var upUri = up.StartsWith("unix:") ? up + uri : up + uri;
            var ctx = $", client: {client}, server: _, request: \"{method} {uri} HTTP/1.1\", upstream: \"http://{upUri}\", host: \"shop\"";
            sb.Clear();
            sb.Append(ts);
            int k = rnd.Next(1000);
            int physical = 1;
            if (k < 170) sb.Append($" [error] {pid}#{pid}: *{conn} recv() failed (104: Connection reset by peer) while reading response header from upstream{ctx}");
            else if (k < 245) sb.Append($" [error] {pid}#{pid}: *{conn} upstream prematurely closed connection while reading response header from upstream{ctx}");
            else if (k < 290) sb.Append($" [error] {pid}#{pid}: *{conn} connect() failed (111: Connection refused) while connecting to upstream{ctx}");
            else if (k < 320) sb.Append($" [error] {pid}#{pid}: *{conn} upstream timed out (110: Connection timed out) while reading response header from upstream{ctx}");
            else if (k < 328) sb.Append($" [error] {pid}#{pid}: *{conn} no live upstreams while connecting to upstream, client: {client}, server: _, request: \"{method} {uri} HTTP/1.1\", upstream: \"http://backend{uri}\", host: \"shop\"");
            else if (k < 336) sb.Append($" [error] {pid}#{pid}: *{conn} writev() failed (32: Broken pipe) while sending request to upstream{ctx}");
            else if (k < 348)
            {
                sb.Append($" [error] {pid}#{pid}: *{conn} FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined index: id in /var/www/html/index.php on line {rnd.Next(400)}");
                if (rnd.Next(4) == 0) { sb.Append("\nStack trace:\n#0 {main}"); physical = 3; }
                sb.Append($"\" while reading response header from upstream, client: {client}, server: _, request: \"{method} /index.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop\"");
            }
            else if (k < 800) sb.Append($" [info] {pid}#{pid}: *{conn} client {client} closed keepalive connection");
            else if (k < 880) sb.Append($" [info] {pid}#{pid}: *{conn} client closed connection while waiting for request, client: {client}, server: 0.0.0.0:443");
            else if (k < 920) sb.Append($" [info] {pid}#{pid}: *{conn} epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too while reading upstream{ctx}");
            else if (k < 950) sb.Append($" [warn] {pid}#{pid}: *{conn} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/{rnd.Next(10)}/{rnd.Next(100):00}/00000{rnd.Next(100000):00000} while reading upstream{ctx}");
            else if (k < 985) sb.Append($" [warn] {pid}#{pid}: *{conn} a client request body is buffered to a temporary file /var/cache/nginx/client_temp/00000{rnd.Next(100000):00000}, client: {client}, server: _, request: \"POST /upload HTTP/1.1\", host: \"shop\"");
            else if (k < 995) sb.Append($" [info] {pid}#{pid}: *{conn} SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: {client}, server: 0.0.0.0:443");
            else sb.Append($" [notice] 2816#2816: signal 1 (SIGHUP) received from {rnd.Next(2000, 60000)}, reconfiguring");
            sb.Append('\n');
            var need = Encoding.UTF8.GetMaxByteCount(sb.Length);
            if (buf.Length < need) buf = new byte[need * 2];
            int len = Encoding.UTF8.GetBytes(sb.ToString(), buf);
            fs.Write(buf, 0, len);
            written += len;
            n += physical;
        }
        fs.Dispose();
        File.Move(path + ".tmp", path, true);
        return (n, written);
    }
}
