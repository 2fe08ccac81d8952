#Requires -Version 7.4
<#
.SYNOPSIS
    Kernel-log engine throughput (issue 5 target: at least 200 MB/s on a generated 100 MB kernel
    log). Three generated inputs of ~100 MB each:
      - 'dmesg raw, typical': everyday kernel chatter (firewall, audit, conntrack, veth, EXT4,
        TCP) with the shared corpus's web01 OOM/crash report (one boot's worth of evidence:
        3 OOM kills, 3 crashes, multi-line records, decoys) about every 2 MB;
      - 'kern.log, typical': the same as RFC 3164 lines with the printk [ts] (rsyslog < 8.2312);
      - 'dmesg raw, OOM-dense': the corpus boot repeated back to back (an OOM block every few
        hundred lines): the worst case, where most lines are OOM evidence.
    Reports wall-clock MB/s and MB per CPU-second (the build machine is shared, so wall time
    depends on its load, printed alongside).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $DataDirectory = (Join-Path $PSScriptRoot 'data'),
    [int] $SizeMB = 100
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
# The engine assembly beside the module, for direct engine timing.
Add-Type -Path (Join-Path (Split-Path (Resolve-Path $ModulePath)) 'NginxUpstream.Core.dll')
$shared = if ($env:NGINXUPSTREAM_SHARED) { $env:NGINXUPSTREAM_SHARED } else { Join-Path $PSScriptRoot '../../shared' }
$seed = Get-Content (Join-Path $shared 'corpus/kernel-log/dmesg-raw.txt') | ForEach-Object {
    if ($_ -match '^\[\s*(\d+\.\d{6})\] (.*)$') { [pscustomobject]@{ Ts = [double]$Matches[1]; Msg = $Matches[2] } }
    else { [pscustomobject]@{ Ts = $null; Msg = $_ } }
}
$noise = @(
    '[UFW BLOCK] IN=ens5 OUT= MAC=0a:1b:2c:3d:4e:5f:0a:1b:2c:3d:4e:60:08:00 SRC=203.0.113.{0} DST=10.0.1.15 LEN=44 TOS=0x00 PREC=0x00 TTL=242 ID=54321 PROTO=TCP SPT=4{0}11 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0'
    'audit: type=1400 audit(1782536{0}.444:2{0}): apparmor="DENIED" operation="open" profile="/usr/sbin/php-fpm8.1" name="/proc/{0}/status" pid={0} comm="php-fpm8.1" requested_mask="r" denied_mask="r" fsuid=33 ouid=33'
    'nf_conntrack: nf_conntrack: table full, dropping packet'
    'docker0: port {0}(veth3c1a{0}) entered forwarding state'
    'IPv6: ADDRCONF(NETDEV_CHANGE): veth8e2{0}: link becomes ready'
    'EXT4-fs (nvme0n1p1): re-mounted. Opts: errors=remount-ro. Quota mode: none.'
    'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.'
    'eth0: renamed from veth{0}a'
)

function New-KernelLog([string] $Path, [string] $Shape) {
    if ((Test-Path $Path) -and (Get-Item $Path).Length -ge $SizeMB * 1MB) { return }
    $w = [IO.StreamWriter]::new($Path, $false, [Text.UTF8Encoding]::new($false), 1MB)
    $syslog = $Shape -eq 'syslog'
    $t0 = [datetime]'2026-01-01'
    function Line([double] $ts, [string] $msg) {
        if ($syslog) { $w.Write(($t0.AddSeconds($ts)).ToString('MMM dd HH:mm:ss', [cultureinfo]::InvariantCulture)); $w.Write(' web01 kernel: ') }
        $w.Write(('[{0,12:F6}] ' -f $ts)); $w.WriteLine($msg)
    }
    try {
        $ts = 0.0; $i = 0
        while ($w.BaseStream.Length -lt $SizeMB * 1MB) {
            $base = $ts
            foreach ($s in $seed) {
                if ($null -ne $s.Ts) { $ts = $base + $s.Ts; Line $ts $s.Msg }
                elseif (-not $syslog) { $w.WriteLine($s.Msg) } # dmesg continuation lines
            }
            if ($Shape -ne 'dense') {
                # ~2 MB of everyday chatter between two OOM reports.
                $end = $w.BaseStream.Length + 2MB
                while ($w.BaseStream.Length -lt $end) { $i++; $ts += 0.25; Line $ts ($noise[$i % $noise.Count] -f ($i % 250)) }
            }
        }
    }
    finally { $w.Dispose() }
}

$load = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 1
$optionsType = 'NginxUpstream.Parsing.KernelLog.KernelLogOptions' -as [type]
$engineType = 'NginxUpstream.Parsing.KernelLog.KernelLog' -as [type]
$me = [Diagnostics.Process]::GetCurrentProcess()
$results = foreach ($case in @(
        @{ Name = 'dmesg raw, typical'; File = 'kernel-typical-dmesg.log'; Shape = 'dmesg' },
        @{ Name = 'kern.log, typical'; File = 'kernel-typical-kern.log'; Shape = 'syslog' },
        @{ Name = 'dmesg raw, OOM-dense'; File = 'kernel-dense-dmesg.log'; Shape = 'dense' })) {
    $path = Join-Path $DataDirectory $case.File
    New-KernelLog $path $case.Shape
    $mb = (Get-Item $path).Length / 1MB
    $opts = $optionsType::new(); $opts.BootTime = [DateTimeOffset]'2026-01-01Z'; $opts.TimeZone = [TimeZoneInfo]::Utc
    $none = [Threading.CancellationToken]::None
    $null = [Linq.Enumerable]::Count($engineType::ParseFile($path, $opts, $null, $none)) # warm-up: JIT, page cache
    $best = [double]::MaxValue; $bestCpu = [double]::MaxValue
    foreach ($run in 1..3) {
        $me.Refresh(); $cpu0 = $me.TotalProcessorTime
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $n = [Linq.Enumerable]::Count($engineType::ParseFile($path, $opts, $null, $none))
        $best = [math]::Min($best, $sw.Elapsed.TotalSeconds)
        $me.Refresh(); $bestCpu = [math]::Min($bestCpu, ($me.TotalProcessorTime - $cpu0).TotalSeconds)
    }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $k = (Get-OomKill -Path $path -BootTime '2026-01-01Z' -TimeZone UTC -WarningAction SilentlyContinue | Measure-Object).Count
    $cmdlet = $sw.Elapsed.TotalSeconds
    [pscustomobject]@{
        Input = $case.Name; SizeMB = [math]::Round($mb); Records = $n; OomKills = $k
        EngineMBps = [math]::Round($mb / $best); EngineMBperCpuSec = [math]::Round($mb / $bestCpu); CmdletMBps = [math]::Round($mb / $cmdlet)
        Target = 200; Pass = ($mb / $best) -ge 200
    }
}
$results | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
"load average at start: $load (2 cores)" | Out-Host
