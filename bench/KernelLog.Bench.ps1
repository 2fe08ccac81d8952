#Requires -Version 7.4
<#
.SYNOPSIS
    Kernel-log engine throughput (issue 5 target: at least 200 MB/s) on a generated ~100 MB
    `dmesg` log and the same lines as a kern.log (RFC 3164 with [ts]): the shared corpus's
    web01 boot repeated with growing timestamps (OOM blocks, crashes, decoys, multi-line records).
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
$seed = Get-Content (Join-Path $shared 'corpus/kernel-log/dmesg-raw.txt')

function New-KernelLog([string] $Path, [bool] $Syslog) {
    if ((Test-Path $Path) -and (Get-Item $Path).Length -ge $SizeMB * 1MB) { return }
    $w = [IO.StreamWriter]::new($Path, $false, [Text.UTF8Encoding]::new($false), 1MB)
    try {
        $rep = 0
        while ($w.BaseStream.Length -lt $SizeMB * 1MB) {
            $offset = $rep * 110000.0
            foreach ($l in $seed) {
                if ($l -match '^\[\s*(\d+\.\d{6})\] (.*)$') {
                    $ts = '[{0,12:F6}]' -f ([double]$Matches[1] + $offset)
                    if ($Syslog) {
                        $t = [datetime]'2026-01-01' + [timespan]::FromSeconds(([double]$Matches[1] + $offset) % 31000000)
                        $w.Write($t.ToString('MMM dd HH:mm:ss', [cultureinfo]::InvariantCulture)); $w.Write(' web01 kernel: ')
                    }
                    $w.Write($ts); $w.Write(' '); $w.WriteLine($Matches[2])
                }
                elseif (-not $Syslog) { $w.WriteLine($l) }
            }
            $rep++
        }
    }
    finally { $w.Dispose() }
}

$results = foreach ($case in @(@{ Name = 'dmesg raw'; File = 'kernel-dmesg.log'; Syslog = $false }, @{ Name = 'kern.log (RFC 3164)'; File = 'kernel-kern.log'; Syslog = $true })) {
    $path = Join-Path $DataDirectory $case.File
    New-KernelLog $path $case.Syslog
    $mb = (Get-Item $path).Length / 1MB
    # Types resolved at run time: the script is parsed before Import-Module loads the engine.
    $optionsType = 'NginxUpstream.Parsing.KernelLog.KernelLogOptions' -as [type]
    $engineType = 'NginxUpstream.Parsing.KernelLog.KernelLog' -as [type]
    $opts = $optionsType::new(); $opts.BootTime = [DateTimeOffset]'2026-01-01Z'; $opts.TimeZone = [TimeZoneInfo]::Utc
    # Warm-up (JIT, regex construction), then the measured engine run.
    $null = [Linq.Enumerable]::Count($engineType::ParseFile($path, $opts, $null, [Threading.CancellationToken]::None))
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $n = [Linq.Enumerable]::Count($engineType::ParseFile($path, $opts, $null, [Threading.CancellationToken]::None))
    $engine = $sw.Elapsed.TotalSeconds
    $sw.Restart()
    $c = (Get-OomKill -Path $path -BootTime '2026-01-01Z' -TimeZone UTC -WarningAction SilentlyContinue | Measure-Object).Count
    $cmdlet = $sw.Elapsed.TotalSeconds
    [pscustomobject]@{
        Input = $case.Name; SizeMB = [math]::Round($mb, 1); Records = $n; OomKills = $c
        EngineMBps = [math]::Round($mb / $engine); CmdletMBps = [math]::Round($mb / $cmdlet)
        Target = 200; Pass = ($mb / $engine) -ge 200
    }
}
$results | Format-Table -AutoSize | Out-Host
