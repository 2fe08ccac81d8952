using NginxUpstream.Model;

namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>
/// The fix for each cause, made concrete from the incident: the backend kind in the evidence,
/// the systemd unit or cgroup of the victim, the upstream block, and the config finding's own fix.
/// Values follow reference/nginx-config.md §2.4/§2.6 and backend-logs.md §1.
/// </summary>
public static class Recommendations
{
    public static (Recommendation rec, string next) For(ResetCause cause, IncidentContext ctx)
    {
        var backend = ctx.BackendEvents.Concat(ctx.Evidence.BackendEvents).Select(b => b.Backend).FirstOrDefault(b => b != BackendKind.Unknown);
        if (backend == BackendKind.Unknown)
            backend = GuessBackend(ctx.OomKills.Select(k => k.ProcessName).Concat(ctx.Crashes.Select(c => c.ProcessName)));
        var unit = ctx.OomKills.Select(k => k.Unit ?? UnitOf(k.MemoryCgroup) ?? UnitOf(k.TaskCgroup)).FirstOrDefault(u => u is not null)
                   ?? ctx.Crashes.Select(c => c.Unit).FirstOrDefault(u => u is not null) ?? "<backend>.service";
        var block = ctx.UpstreamBlock ?? "<upstream>";
        var cgroup = ctx.OomKills.Select(k => k.MemoryCgroup ?? k.TaskCgroup).FirstOrDefault(c => c is not null && c != "/");
        // Without a systemd unit, the limit is the cgroup's own (cgroup v2 memory.max) or the container's.
        var memLimit = unit != "<backend>.service" || cgroup is null
            ? $"systemctl set-property {unit} MemoryMax=2G"
            : $"echo 2G > /sys/fs/cgroup{cgroup}/memory.max   # or the container's memory limit";
        var peer = ctx.Incident.Upstream;
        switch (cause)
        {
            case ResetCause.BackendOomKilled:
                return (new Recommendation
                {
                    Summary = "Keep the backend workers inside their memory limit: recycle them before they grow, and size the limit to workers x peak RSS.",
                    Steps = new[]
                    {
                        "Find what grows: the errors' URIs (ErrorSamples) name the requests in flight when the worker died.",
                        "Recycle workers periodically so slow leaks never reach the limit.",
                        $"Raise the memory limit of {(unit == "<backend>.service" && cgroup is not null ? "cgroup " + cgroup : unit)} if the peak is legitimate, or run fewer workers.",
                    },
                    Changes = backend switch
                    {
                        BackendKind.PhpFpm => new[] { "pm.max_requests = 500", "memory_limit = 256M   ; php.ini, per request", memLimit },
                        BackendKind.Uwsgi => new[] { "reload-on-rss = 512", "max-requests = 1000", memLimit },
                        _ => new[] { "gunicorn --max-requests 1000 --max-requests-jitter 100 ...", memLimit },
                    },
                }, $"Watch the workers' memory while replaying the failing request: systemd-cgtop, or ps -o pid,rss,cmd --ppid <master pid>.");
            case ResetCause.BackendWorkerTimeout:
                return (new Recommendation
                {
                    Summary = "Requests outlive the backend's worker timeout: make the slow requests fast, or raise the backend timeout and keep nginx's read timeout just above it.",
                    Steps = new[]
                    {
                        "Find the slow requests in the errors (ErrorSamples) and in the backend's access log.",
                        "Move long work to a queue, or raise the worker timeout for them.",
                        "Keep proxy_read_timeout (or fastcgi_/uwsgi_read_timeout) slightly above the backend timeout so nginx reports a clean 504 only when the backend gives up first.",
                    },
                    Changes = backend switch
                    {
                        BackendKind.PhpFpm => new[] { "request_terminate_timeout = 120s", "fastcgi_read_timeout 125s;" },
                        BackendKind.Uwsgi => new[] { "harakiri = 120", "uwsgi_read_timeout 125s;" },
                        _ => new[] { "gunicorn --timeout 120 ...   # or threads/async workers (-k gthread --threads 4) for I/O-bound requests", "proxy_read_timeout 125s;" },
                    },
                }, "Time the failing request against the backend directly (curl -w '%{time_total}' to the upstream address) to see how long it really takes.");
            case ResetCause.BackendKilled:
                return (new Recommendation
                {
                    Summary = "Something sent the backend workers a kill signal mid-request: find who, and make restarts graceful.",
                    Steps = new[]
                    {
                        "Check deploys, cron jobs and userspace OOM killers (systemd-oomd, earlyoom) at that time: journalctl --since/--until around the incident.",
                        "Reload the backend gracefully instead of killing workers, and let nginx retry idempotent requests.",
                    },
                    Changes = backend switch
                    {
                        BackendKind.PhpFpm => new[] { $"systemctl reload {unit}   # graceful: SIGUSR2 to the php-fpm master", "process_control_timeout = 30s" },
                        _ => new[] { "kill -HUP <gunicorn master pid>   # graceful reload, or: systemctl reload " + unit, "gunicorn --graceful-timeout 30 ...", "proxy_next_upstream error timeout;" },
                    },
                }, ctx.Evidence.KernelLogRead
                    ? "journalctl -o short-precise --since <Start-10s> --until <End> to find the process that sent the signal."
                    : "Read the kernel log for the incident (Get-OomKill -Since <Start>) to rule out the OOM killer, then journalctl for the sender.");
            case ResetCause.BackendCrashed:
                return (new Recommendation
                {
                    Summary = "A backend process crashed: get the core dump or stack trace and fix or update the faulting code or extension.",
                    Steps = new[]
                    {
                        "coredumpctl list / coredumpctl info <pid> for the crashed process.",
                        "Update or disable the native extension in the stack trace; recycle workers meanwhile.",
                    },
                    Changes = backend == BackendKind.PhpFpm
                        ? new[] { "pm.max_requests = 500" }
                        : new[] { "gunicorn --max-requests 1000 --max-requests-jitter 100 ..." },
                }, "coredumpctl info <pid of the crashed worker>");
            case ResetCause.StaleKeepalive:
            {
                var fix = ctx.ConfigFindings.FirstOrDefault(f => f.RuleId == "KA-IDLE")?.Fix;
                var idle = backend switch { BackendKind.Node => "Node's default is 5s", BackendKind.Uvicorn => "uvicorn's default is 5s", BackendKind.Gunicorn => "gunicorn's --keep-alive, 2s by default", _ => "often 2-5s" };
                return (new Recommendation
                {
                    Summary = "nginx reuses idle upstream connections longer than the backend keeps them open: make nginx close them first.",
                    Steps = new[]
                    {
                        $"Set the upstream keepalive_timeout below the backend's idle timeout ({idle}), or raise the backend's idle timeout above nginx's (60s default).",
                        "Keep 'error' in proxy_next_upstream so idempotent requests stay retried; do not add non_idempotent unless the backend de-duplicates POSTs.",
                    },
                    Changes = new[]
                    {
                        fix ?? $"upstream {block} {{ keepalive_timeout 1s; }}   # below the backend idle timeout",
                        backend == BackendKind.Node ? "server.keepAliveTimeout = 65000;   // or raise the backend instead" : "gunicorn --keep-alive 75 ...   # or raise the backend instead (gthread/async workers)",
                        "proxy_next_upstream error timeout;",
                    },
                }, ctx.Evidence.ConfigRead
                    ? "Confirm with the access log: the POSTs should show status 502 while GETs to the same upstream show retries ($upstream_status \"502, 200\")."
                    : "Run Test-NginxKeepaliveConfig (with -Backend) to compare the upstream keepalive_timeout with the backend's idle timeout.");
            }
            case ResetCause.RequestBodyRejected:
                return (new Recommendation
                {
                    Summary = "The backend refuses large request bodies by closing the connection: let nginx enforce the limit with a clean 413, or raise the backend's limit.",
                    Steps = new[]
                    {
                        "Find the backend's body limit (framework setting, LimitRequestBody, MaxRequestBodySize, ...).",
                        "Set nginx's client_max_body_size to that limit on the upload locations so oversized bodies never reach the backend.",
                    },
                    Changes = new[] { "client_max_body_size <backend limit>;   # in the location that proxies uploads" },
                }, "Replay one failing upload directly to the backend (curl --data-binary @big.file) and note where it closes.");
            case ResetCause.BackendDown:
                return (new Recommendation
                {
                    Summary = $"Nothing was listening on {peer}: the backend was stopped, restarting, or bound elsewhere.",
                    Steps = new[]
                    {
                        $"Check the service and its restarts: systemctl status {unit}; journalctl -u {unit} around the incident.",
                        $"Check what listens: ss -ltnp (or ss -lxp for a unix socket) for {peer}.",
                        "Make it restart on failure, and give nginx a second server or a maintenance page for restarts.",
                    },
                    Changes = new[] { $"systemctl edit {unit}   # [Service] Restart=always, RestartSec=1", $"upstream {block} {{ server {peer}; server <second backend> backup; }}" },
                }, $"ss -ltnp | grep '{peer}' and systemctl status {unit}");
            case ResetCause.BackendSlow:
                return (new Recommendation
                {
                    Summary = "The backend answered slower than nginx waits: speed up or scale the backend, or raise the read timeout for the slow locations.",
                    Steps = new[]
                    {
                        "Find the slow requests (ErrorSamples) and time them against the backend directly.",
                        "Add workers if the backend was saturated; raise the timeout only where slowness is expected.",
                    },
                    Changes = new[] { "proxy_read_timeout 120s;   # only in the slow location", backend == BackendKind.PhpFpm ? "pm.max_children = <more>" : "gunicorn --workers <2 x cores + 1> ..." },
                }, "curl -w '%{time_starttransfer}\\n' -o /dev/null against the upstream address for one of the failing URIs.");
            case ResetCause.NetworkReset:
                return (new Recommendation
                {
                    Summary = $"The connection to {peer} was reset or unreachable on the network path: check routes, firewalls, conntrack and load balancers between the hosts.",
                    Steps = new[]
                    {
                        $"ip route get {HostPart(peer)}; check conntrack table usage (conntrack -S) and firewall rules.",
                        "Capture the resets to see who sends them.",
                    },
                    Changes = new[] { $"tcpdump -ni any 'host {HostPart(peer)} and tcp[tcpflags] & tcp-rst != 0'" },
                }, $"tcpdump -ni any 'host {HostPart(peer)} and tcp[tcpflags] & tcp-rst != 0' while the errors happen.");
            default:
                return (new Recommendation
                {
                    Summary = "The evidence does not decide the cause yet.",
                    Steps = MissingSources(ctx).ToArray(),
                    Changes = Array.Empty<string>(),
                }, NextForUnknown(ctx));
        }
    }

    public static IEnumerable<string> MissingSources(IncidentContext ctx)
    {
        if (!ctx.Evidence.KernelLogRead) yield return "Read the kernel log for the incident: Get-OomKill and Get-ProcessCrash -Since <Start>.";
        if (!ctx.Evidence.BackendLogRead) yield return "Read the backend's log: Get-BackendEvent -Path <gunicorn/php-fpm log> -Since <Start>.";
        if (!ctx.Evidence.ConfigRead) yield return "Check the keepalive configuration: Test-NginxKeepaliveConfig -Backend <kind>.";
        yield return "Compare with the access log: which methods got 502, and $upstream_status for retries.";
    }

    public static string NextForUnknown(IncidentContext ctx)
    {
        var start = ctx.Incident.Start.ToString("yyyy-MM-dd HH:mm:ss");
        if (!ctx.Evidence.KernelLogRead) return $"Read the kernel log around {start}: Get-OomKill -Since '{start}' (a backend death explains resets and premature closes alike).";
        if (!ctx.Evidence.BackendLogRead) return $"Read the backend's log around {start}: Get-BackendEvent -Path <log> (worker timeouts and kills are only there).";
        if (!ctx.Evidence.ConfigRead) return "Run Test-NginxKeepaliveConfig -Backend <kind>: an upstream keepalive_timeout above the backend's idle timeout explains resets with no death.";
        return $"Capture the traffic to {ctx.Incident.Upstream} while it happens: tcpdump -ni any 'port {PortPart(ctx.Incident.Upstream)} and tcp[tcpflags] & (tcp-rst|tcp-fin) != 0', and compare with the access log's $upstream_status.";
    }

    private static BackendKind GuessBackend(IEnumerable<string?> names)
    {
        foreach (var n in names)
        {
            if (n is null) continue;
            if (n.StartsWith("gunicorn", StringComparison.OrdinalIgnoreCase) || n.StartsWith("python", StringComparison.OrdinalIgnoreCase)) return BackendKind.Gunicorn;
            if (n.StartsWith("php", StringComparison.OrdinalIgnoreCase)) return BackendKind.PhpFpm;
            if (n.StartsWith("uwsgi", StringComparison.OrdinalIgnoreCase)) return BackendKind.Uwsgi;
            if (n.StartsWith("node", StringComparison.OrdinalIgnoreCase)) return BackendKind.Node;
        }
        return BackendKind.Unknown;
    }

    /// <summary>"/system.slice/app.service" -> "app.service".</summary>
    private static string? UnitOf(string? cgroup)
    {
        if (cgroup is null) return null;
        var seg = cgroup.TrimEnd('/').Split('/').LastOrDefault(s => s.EndsWith(".service", StringComparison.Ordinal) || s.EndsWith(".scope", StringComparison.Ordinal));
        return seg;
    }

    private static string HostPart(string peer)
    {
        var i = peer.LastIndexOf(':');
        return i > 0 ? peer[..i].Trim('[', ']') : peer;
    }

    private static string PortPart(string peer)
    {
        var i = peer.LastIndexOf(':');
        return i > 0 ? peer[(i + 1)..] : "80";
    }
}
