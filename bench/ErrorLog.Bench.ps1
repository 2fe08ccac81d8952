#Requires -Version 7.4
<#
.SYNOPSIS
    Get-NginxUpstreamError benchmark: the cmdlet against Select-String, a hand-written regex
    pipeline and grep; the engine alone; peak memory; -Since against a full scan. One run, one table.
.DESCRIPTION
    Generates (once, deterministically) a ~3M-line nginx error.log of a busy proxy into
    -DataDirectory, then measures, each in a fresh pwsh so peak RSS is per measurement:
      (a) Get-NginxUpstreamError -Path f | Measure-Object
      (b) Select-String -Path f -SimpleMatch upstream | Measure-Object
      (c) Get-Content | regex -> [pscustomobject] (on a 300k-line sample; compared by MB/s)
      (d) grep -c upstream f
      engine: NginxErrorLogReader in-process (bench/ErrorLog.Bench), parse-and-count and build-every-object
      (e) Get-NginxUpstreamError -Path f -Since <last 15 minutes of the file> | Measure-Object
    Times are wall-clock inside the measuring process (module import and process start excluded);
    CPU seconds are shown too, since the machine may be shared.
.EXAMPLE
    dotnet pwsh ./bench/ErrorLog.Bench.ps1 -ModulePath ./out/NginxUpstream/NginxUpstream.psd1 -DataDirectory ./bench/data
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DataDirectory,
    [long] $Lines = 3000000,
    [long] $SampleLines = 300000
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
New-Item -ItemType Directory -Path $DataDirectory -Force | Out-Null
$DataDirectory = (Resolve-Path $DataDirectory).Path

# The helper: generator + in-process engine timing.
$helperProj = Join-Path $PSScriptRoot 'ErrorLog.Bench/ErrorLog.Bench.csproj'
$helper = Join-Path $PSScriptRoot 'ErrorLog.Bench/bin/Release/net10.0/ErrorLog.Bench.dll'
& dotnet build $helperProj -c Release --nologo -v quiet | Out-Null
if ($LASTEXITCODE -ne 0) { throw "could not build $helperProj" }

$log = Join-Path $DataDirectory "nginx-error-$Lines.log"
$sample = Join-Path $DataDirectory "nginx-error-$SampleLines.log"
foreach ($p in @(@($log, $Lines), @($sample, $SampleLines))) {
    if (-not (Test-Path $p[0])) {
        Write-Host "generating $($p[0]) ..."
        & dotnet $helper generate $p[0] $p[1] | Out-Host
    }
}
$size = (Get-Item $log).Length
$sampleSize = (Get-Item $sample).Length
# The generator's last stamp (UTC wall clock): -Since takes its last 15 minutes.
$since = [DateTimeOffset]::new(2026, 11, 26, 23, 44, 59, [TimeSpan]::Zero)

# Runs a script in a fresh pwsh; it must set $n. Returns seconds, CPU seconds, count and peak RSS.
$dotnet = (Get-Process -Id $PID).Path
$pwshDll = [Reflection.Assembly]::GetEntryAssembly().Location
function Invoke-Measured([string] $Name, [string] $Body, [long] $Bytes, [switch] $Module) {
    $script = @"
`$ErrorActionPreference = 'Stop'
$(if ($Module) { "Import-Module '$ModulePath'" })
`$f = '$log'; `$sample = '$sample'; `$since = [DateTimeOffset]'$($since.ToString('o'))'
`$p = Get-Process -Id `$PID; `$c0 = `$p.TotalProcessorTime
`$sw = [Diagnostics.Stopwatch]::StartNew()
$Body
`$s = `$sw.Elapsed.TotalSeconds
`$p.Refresh(); `$cpu = (`$p.TotalProcessorTime - `$c0).TotalSeconds
`$hwm = [long]((Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', '') / 1024
"RESULT `$s `$cpu `$n `$hwm"
"@
    $out = & $dotnet $pwshDll -NoProfile -NonInteractive -Command $script
    $line = $out | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
    if (-not $line) { throw "$Name failed: $($out -join "`n")" }
    $v = $line.Split(' ')
    [pscustomobject]@{
        Measurement = $Name
        Seconds     = [math]::Round([double]$v[1], 2)
        CpuSeconds  = [math]::Round([double]$v[2], 2)
        MBps        = [math]::Round($Bytes / 1MB / [double]$v[1], 1)
        Records     = [long]$v[3]
        PeakRssMB   = [math]::Round([double]$v[4], 0)
    }
}

$regexBody = @'
$rx = [regex]'^(?<time>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?<level>\w+)\] (?<pid>\d+)#(?<tid>\d+): (?:\*(?<conn>\d+) )?(?<msg>.*?)(?: \((?<errno>\d+): (?<errtext>[^)]*)\))?(?: while (?<action>[^,]*))?, client: (?<client>[^,]+), server: (?<server>[^,]*)(?:, request: "(?<request>[^"]*)")?(?:, upstream: "(?<upstream>[^"]*)")?(?:, host: "(?<host>[^"]*)")?(?:, referrer: "(?<referrer>[^"]*)")?$'
$n = (Get-Content $sample | ForEach-Object {
    $m = $rx.Match($_)
    if ($m.Success -and $m.Groups['upstream'].Success) {
        [pscustomobject]@{
            Time = [datetime]::ParseExact($m.Groups['time'].Value, 'yyyy/MM/dd HH:mm:ss', $null)
            Level = $m.Groups['level'].Value; Pid = [int]$m.Groups['pid'].Value; Connection = $m.Groups['conn'].Value
            Message = $m.Groups['msg'].Value; Errno = $m.Groups['errno'].Value; Action = $m.Groups['action'].Value
            Client = $m.Groups['client'].Value; Server = $m.Groups['server'].Value; Request = $m.Groups['request'].Value
            Upstream = $m.Groups['upstream'].Value; Host = $m.Groups['host'].Value
        }
    }
} | Measure-Object).Count
'@

Write-Host "log: $log ($([math]::Round($size / 1MB)) MB); sample: $([math]::Round($sampleSize / 1MB)) MB; machine load: $((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ') on $([Environment]::ProcessorCount) CPUs"
$rows = [Collections.Generic.List[object]]::new()
$rows.Add((Invoke-Measured '(a) Get-NginxUpstreamError | Measure-Object' '$n = (Get-NginxUpstreamError -Path $f -TimeZone UTC | Measure-Object).Count' $size -Module))
$rows.Add((Invoke-Measured '(b) Select-String -SimpleMatch upstream | Measure-Object' '$n = (Select-String -Path $f -SimpleMatch upstream | Measure-Object).Count' $size))
$rows.Add((Invoke-Measured "(c) Get-Content | regex -> [pscustomobject] ($SampleLines-line sample)" $regexBody $sampleSize))
$rows.Add((Invoke-Measured '(d) grep -c upstream' '$n = [long](& grep -c upstream $f)' $size))
$rows.Add((Invoke-Measured '(e) Get-NginxUpstreamError -Since <last 15 min>' '$n = (Get-NginxUpstreamError -Path $f -TimeZone UTC -Since $since | Measure-Object).Count' $size -Module))

# -Since against the full scan, like with like: both in ONE pwsh after a warm-up of both code paths
# (JIT, page cache), so the ratio compares the work of the two reads, not process start or JIT.
$warmBody = @'
$null = (Get-NginxUpstreamError -Path $f -TimeZone UTC -Since $since | Measure-Object).Count
$null = (Get-NginxUpstreamError -Path $sample -TimeZone UTC | Measure-Object).Count
function T($sb) { $p = Get-Process -Id $PID; $c0 = $p.TotalProcessorTime; $sw = [Diagnostics.Stopwatch]::StartNew(); $k = & $sb; $w = $sw.Elapsed.TotalSeconds; $p.Refresh(); @($w, ($p.TotalProcessorTime - $c0).TotalSeconds, $k) }
$full = T { (Get-NginxUpstreamError -Path $f -TimeZone UTC | Measure-Object).Count }
$tail = $null
foreach ($i in 1..3) { $t = T { (Get-NginxUpstreamError -Path $f -TimeZone UTC -Since $since | Measure-Object).Count }; if ($null -eq $tail -or $t[0] -lt $tail[0]) { $tail = $t } }
# The same file under another name (a hard link): no line-count points from the reads above, so the whole prefix is counted.
$cold = T { (Get-NginxUpstreamError -Path $link -TimeZone UTC -Since $since | Measure-Object).Count }
"WARM $($full[0]) $($full[1]) $($full[2]) $($tail[0]) $($tail[1]) $($tail[2]) $($cold[0]) $($cold[1]) $($cold[2])"
$n = 0
'@
$link = Join-Path $DataDirectory "nginx-error-$Lines.link.log"
Remove-Item -LiteralPath $link -ErrorAction SilentlyContinue
& ln $log $link
if ($LASTEXITCODE -ne 0) { throw "could not hard-link $log" }
$warmOut = & $dotnet $pwshDll -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$f = '$log'; `$link = '$link'; `$sample = '$sample'; `$since = [DateTimeOffset]'$($since.ToString('o'))'; $warmBody"
Remove-Item -LiteralPath $link
$w = (($warmOut | Where-Object { $_ -like 'WARM *' } | Select-Object -Last 1) -split ' ')
if ($w.Count -lt 10) { throw "warm -Since measurement failed: $($warmOut -join "`n")" }
$rows.Add([pscustomobject]@{ Measurement = '(a'') same, warm process (after warm-up)'; Seconds = [math]::Round([double]$w[1], 2); CpuSeconds = [math]::Round([double]$w[2], 2); MBps = [math]::Round($size / 1MB / [double]$w[1], 1); Records = [long]$w[3]; PeakRssMB = $null })
$rows.Add([pscustomobject]@{ Measurement = '(e'') same, warm process (best of 3)'; Seconds = [math]::Round([double]$w[4], 3); CpuSeconds = [math]::Round([double]$w[5], 3); MBps = $null; Records = [long]$w[6]; PeakRssMB = $null })
$rows.Add([pscustomobject]@{ Measurement = '(e"") same, warm process, a path it has not read (whole prefix counted)'; Seconds = [math]::Round([double]$w[7], 3); CpuSeconds = [math]::Round([double]$w[8], 3); MBps = $null; Records = [long]$w[9]; PeakRssMB = $null })

# The engine alone, in-process.
& dotnet $helper engine $log | Out-Null  # warm the page cache
$e = @{}
foreach ($kv in ((& dotnet $helper engine $log) -split ' ')) { $k, $v = $kv -split '=', 2; $e[$k] = $v }
$rows.Add([pscustomobject]@{ Measurement = 'engine: parse every record, count (NginxErrorLogReader.Count)'; Seconds = [double]$e.count_s; CpuSeconds = [double]$e.count_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.count_s, 1); Records = [long]$e.records; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows.Add([pscustomobject]@{ Measurement = 'engine: build every UpstreamError (ReadFile)'; Seconds = [double]$e.objects_s; CpuSeconds = [double]$e.objects_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.objects_s, 1); Records = [long]$e.objects; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows.Add([pscustomobject]@{ Measurement = 'engine: upstream-only, parse + count (UpstreamOnly Count)'; Seconds = [double]$e.upstream_count_s; CpuSeconds = [double]$e.upstream_count_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.upstream_count_s, 1); Records = [long]$e.upstream_count; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows.Add([pscustomobject]@{ Measurement = 'engine: same on one thread (MaxParallelism = 1)'; Seconds = [double]$e.upstream_single_s; CpuSeconds = [double]$e.upstream_single_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.upstream_single_s, 1); Records = [long]$e.upstream_single; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows.Add([pscustomobject]@{ Measurement = 'engine: same, text decoded while reading (the reader''s default)'; Seconds = [double]$e.upstream_eager_s; CpuSeconds = [double]$e.upstream_eager_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.upstream_eager_s, 1); Records = [long]$e.upstream_eager; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows.Add([pscustomobject]@{ Measurement = "engine MB/s: upstream-only objects, what the cmdlet emits (UpstreamOnly ReadFile, text on first use, $($e.threads) threads)"; Seconds = [double]$e.upstream_s; CpuSeconds = [double]$e.upstream_cpu_s; MBps = [math]::Round($size / 1MB / [double]$e.upstream_s, 1); Records = [long]$e.upstream_objects; PeakRssMB = [math]::Round([double]$e.peak_rss_mb) })
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

$a, $b, $c, $d, $since15 = $rows[0], $rows[1], $rows[2], $rows[3], $rows[4]
$aWarm, $eWarm = $rows[5], $rows[6]
$engine = $rows | Where-Object Measurement -like 'engine MB/s:*'
$engineCount = $rows | Where-Object Measurement -like 'engine: parse every record*'
function Ratio($x, $y) { if ($y -eq 0) { [double]::PositiveInfinity } else { [math]::Round($x / $y, 1) } }
# Each ratio by wall time and by CPU time: on a shared machine the CPU ratio is the stable one.
function Row($name, $wall, $cpu, $target, [scriptblock] $met) {
    [pscustomobject]@{ Comparison = $name; WallRatio = $wall; CpuRatio = $cpu; Target = $target; MetWall = $(if ($met) { & $met $wall }); MetCpu = $(if ($met -and $null -ne $cpu) { & $met $cpu }) }
}
$mbPerCpu = { param($r, $bytes) [math]::Round($bytes / 1MB / [math]::Max($r.CpuSeconds, 0.0001), 1) }
$ratios = @(
    Row '(b) Select-String / (a) cmdlet (time)' (Ratio $b.Seconds $a.Seconds) (Ratio $b.CpuSeconds $a.CpuSeconds) '> 1' { param($v) $v -gt 1 }
    Row '(a) cmdlet / (c) regex pipeline (MB/s)' (Ratio $a.MBps $c.MBps) (Ratio (& $mbPerCpu $a $size) (& $mbPerCpu $c $sampleSize)) '>= 10' { param($v) $v -ge 10 }
    Row '(d) grep / (a) cmdlet (MB/s)' (Ratio $d.MBps $a.MBps) $null '(reference)' $null
    # MB here is MiB: 1 GB/s (10^9 bytes a second) is 953.7 MiB/s.
    Row 'engine MiB/s (upstream-only objects, in-process, warm)' $engine.MBps (& $mbPerCpu $engine $size) '>= 953.7 (1 GB/s)' { param($v) $v -ge 953.7 }
    Row 'engine MB/s (parse every record + count, no objects)' $engineCount.MBps (& $mbPerCpu $engineCount $size) '(reference)' $null
    Row "(a') full scan / (e') -Since last 15 min, same warm process" (Ratio $aWarm.Seconds $eWarm.Seconds) (Ratio $aWarm.CpuSeconds $eWarm.CpuSeconds) '>= 50' { param($v) $v -ge 50 }
    Row "(a') full scan / (e`"`") -Since on a path not read before (whole prefix counted)" (Ratio $aWarm.Seconds $rows[7].Seconds) (Ratio $aWarm.CpuSeconds $rows[7].CpuSeconds) '(reference)' $null
    Row '(a) full scan / (e) -Since, each a fresh process (JIT included)' (Ratio $a.Seconds $since15.Seconds) (Ratio $a.CpuSeconds $since15.CpuSeconds) '(reference)' $null
    Row 'peak RSS of (a) / (e), MB' $a.PeakRssMB $since15.PeakRssMB '<= 250' { param($v) $v -le 250 }
)
$ratios | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$result = [pscustomobject]@{ Date = (Get-Date).ToUniversalTime().ToString('o'); Load = (Get-Content /proc/loadavg); LogBytes = $size; Rows = $rows; Ratios = $ratios }
$result | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $DataDirectory 'ErrorLog.Bench.result.json')
