#Requires -Version 7.4
<#
.SYNOPSIS
    Find-ResetCause throughput: 1 M upstream errors with 10 k OOM kills and 100 k backend events
    must be diagnosed in under 10 s, and 10x that input in at most 12x the time.
.DESCRIPTION
    The input is generated in memory (a small C# generator compiled with Add-Type against the
    module's engine), not parsed: the readers have their own benchmarks. It is shaped like a busy
    host: errors toward 20 upstreams in bursts of ~100 (one incident each), each burst with one
    OOM kill of a gunicorn worker or a WORKER TIMEOUT nearby and ten backend log lines; resets,
    premature closes, refusals and timeouts; GET and POST. Only the Find-ResetCause call is timed
    (errors bound once with -InputObject, evidence offline with -Evidence). Both sizes run in one
    process after two warm-up runs at a tenth of the size (tiered JIT).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DataDirectory,
    # Errors of the base size; the large run uses 10x.
    [int] $Errors = 1000000
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$core = [NginxUpstream.Model.LogRecord].Assembly.Location

Add-Type -IgnoreWarnings -CompilerOptions '/nowarn:1701' -ReferencedAssemblies $core, 'System.Collections', 'System.Runtime', 'System.Linq' -TypeDefinition @'
using System;
using System.Collections.Generic;
using NginxUpstream.Model;

public static class ResetCauseBenchInput
{
    // Per 100 errors (one burst): 1 OOM kill, 10 backend events.
    public static void Make(int errors, out UpstreamError[] errs, out object[] evidence)
    {
        var rnd = new Random(7);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var upstreams = new string[20];
        var urls = new string[20];
        for (var i = 0; i < 20; i++) { upstreams[i] = "10.0.0." + (i + 1) + ":8000"; urls[i] = "http://" + upstreams[i] + "/api"; }
        var kinds = new[] { UpstreamErrorKind.Reset, UpstreamErrorKind.PrematureClose, UpstreamErrorKind.Reset, UpstreamErrorKind.Refused, UpstreamErrorKind.TimedOut };
        var errnos = new[] { "ECONNRESET", null, "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT" };
        var methods = new[] { "GET", "GET", "POST", "GET", "PUT" };
        errs = new UpstreamError[errors];
        var ev = new List<object>(errors / 100 * 11);
        var bursts = Math.Max(1, errors / 100);
        var n = 0;
        for (var b = 0; b < bursts; b++)
        {
            var start = t0.AddSeconds(b * 150.0);
            var u = b % 20;
            var kind = b % 5; // each burst is mostly one kind of failure
            var size = b == bursts - 1 ? errors - n : 100;
            for (var i = 0; i < size; i++)
            {
                var k = rnd.Next(10) < 8 ? kind : rnd.Next(5);
                var m = methods[rnd.Next(methods.Length)];
                errs[n] = new UpstreamError
                {
                    Source = "/var/log/nginx/error.log", LineNumber = n + 1, Time = start.AddMilliseconds(i * 300),
                    Level = NginxLogLevel.Error, ProcessId = 1000 + u, ThreadId = 1000 + u, ConnectionId = 2L * n + 1,
                    Kind = kinds[k], Side = ErrorSide.Upstream, ErrnoName = errnos[k], Errno = errnos[k] == null ? (int?)null : 104,
                    Message = "recv() failed", Phase = k == 3 ? UpstreamPhase.ConnectingToUpstream : UpstreamPhase.ReadingResponseHeaderFromUpstream,
                    Method = m, Uri = "/api", Request = m + " /api HTTP/1.1", Upstream = urls[u], UpstreamAddress = upstreams[u], IsUpstreamRelated = true,
                };
                n++;
            }
            var pid = 20000 + b;
            if (b % 2 == 0)
                ev.Add(new OomKill { Source = "kern.log", LineNumber = b + 1, Time = start.AddSeconds(-1), ProcessId = pid, ProcessName = "gunicorn", Constraint = "memcg", MemoryCgroup = "/system.slice/app" + u + ".service" });
            else
                ev.Add(new OomKill { Source = "kern.log", LineNumber = b + 1, Time = start.AddSeconds(40), ProcessId = 90000 + b, ProcessName = "java", Constraint = "none" });
            for (var j = 0; j < 10; j++)
                ev.Add(new BackendEvent
                {
                    Source = "gunicorn.log", LineNumber = b * 10 + j + 1, Time = start.AddSeconds(j * 3), Backend = BackendKind.Gunicorn,
                    Kind = j == 0 && b % 2 == 1 ? BackendEventKind.WorkerTimeout : j == 1 ? BackendEventKind.WorkerKilled : BackendEventKind.WorkerBooted,
                    ProcessId = pid + j * 1000000, Signal = j == 1 ? "SIGKILL" : null,
                });
        }
        evidence = ev.ToArray();
    }
}
'@

function Measure-Size([int] $Count) {
    $e = $null; $ev = $null
    [ResetCauseBenchInput]::Make($Count, [ref] $e, [ref] $ev)
    [GC]::Collect()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $n = (Find-ResetCause -InputObject $e -Evidence $ev | Measure-Object).Count
    $sw.Stop()
    $oom = @($ev | Where-Object { $_ -is [NginxUpstream.Model.OomKill] }).Count
    [pscustomobject]@{ Errors = $Count; OomKills = $oom; BackendEvents = $ev.Count - $oom; Incidents = $n; Seconds = [math]::Round($sw.Elapsed.TotalSeconds, 2) }
}

# Warm-up: twice at a tenth of the size, so the hot loops run tiered-up code in the timed runs.
$null = Measure-Size ([math]::Max(1000, $Errors / 10))
$null = Measure-Size ([math]::Max(1000, $Errors / 10))
$base = Measure-Size $Errors
$large = Measure-Size ($Errors * 10)
$rows = @($base, $large)
$rows | Format-Table -AutoSize | Out-Host
$ratio = [math]::Round($large.Seconds / [math]::Max($base.Seconds, 0.001), 2)
$baseOk = $base.Seconds -lt 10
$scaleOk = $ratio -le 12
Write-Host ("1x: {0} s (target < 10 s) {1}; 10x/1x time ratio: {2} (target <= 12) {3}" -f $base.Seconds, $(if ($baseOk) { 'PASS' } else { 'FAIL' }), $ratio, $(if ($scaleOk) { 'PASS' } else { 'FAIL' }))
if (-not ($baseOk -and $scaleOk)) { exit 1 }
