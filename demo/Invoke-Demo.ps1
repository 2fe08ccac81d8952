#Requires -Version 7.4
<#
.SYNOPSIS
    The whole diagnosis on incidents recorded from real services (tests/fixtures/incidents):
    the readers, Find-ResetCause, the diagnosis and its YAML.
.DESCRIPTION
    Called by `build.ps1 -Task Demo` with the built module. For the chosen incident it shows
    what each reader finds in the bundle, then the diagnosis with its evidence and the fix, then
    the YAML finding; finally the verdict for every recorded incident next to the cause the
    reproduction produced.
.EXAMPLE
    dotnet pwsh ./demo/Invoke-Demo.ps1 -ModulePath ./out/NginxUpstream/NginxUpstream.psd1 -Incident stale-keepalive
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Folder name under tests/fixtures/incidents.
    [string] $Incident = 'oom-kill'
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$root = Join-Path $PSScriptRoot '../tests/fixtures/incidents'
if (-not (Test-Path (Join-Path $root $Incident))) {
    Write-Host "The recorded incidents (tests/fixtures/incidents, from the reproduction suite) are not in this checkout; nothing to demonstrate." -ForegroundColor Yellow
    exit 0
}
$root = (Resolve-Path $root).Path
$bundle = Join-Path $root $Incident
# The recordings were made on a host whose zone was UTC (see each README).
$zone = 'UTC'

function Section([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }

Section "Incident '$Incident' ($bundle)"
(Get-Content (Join-Path $bundle 'README.md') | Select-Object -Skip 4 -First 4) -join "`n" | Write-Host

Section 'nginx error.log (Get-NginxUpstreamError -All)'
Get-NginxUpstreamError -LiteralPath (Join-Path $bundle 'error.log') -All -TimeZone $zone |
    Format-Table Time, Kind, Method, Uri, UpstreamAddress -AutoSize | Out-Host

$kernel = Join-Path $bundle 'dmesg-iso.txt'
if (Test-Path $kernel) {
    Section 'kernel log (Get-OomKill, Get-ProcessCrash)'
    $k = @(Get-OomKill -LiteralPath $kernel -TimeZone $zone) + @(Get-ProcessCrash -LiteralPath $kernel -TimeZone $zone)
    if ($k) { $k | Format-List Time, ProcessName, ProcessId, MemoryCgroup, Kind, Origin | Out-Host } else { Write-Host '(no OOM kill, no crash)' }
}
$backendLogs = @(Get-ChildItem $bundle -Filter '*.log' | Where-Object Name -match '^(gunicorn|php-fpm)\.log$')
if ($backendLogs) {
    Section 'backend log (Get-BackendEvent)'
    Get-BackendEvent -LiteralPath $backendLogs.FullName -TimeZone $zone | Format-Table Time, Backend, Kind, ProcessId, Signal -AutoSize | Out-Host
}

Section "Find-ResetCause -IncidentPath $bundle"
$diagnosis = Find-ResetCause -IncidentPath $bundle -TimeZone $zone -WarningAction SilentlyContinue
$diagnosis | Format-List Upstream, Start, ErrorCount, Cause, ConfidenceLevel, Confidence, AffectedRequests | Out-Host
Write-Host 'Hypotheses:'
$diagnosis.Hypotheses | ForEach-Object { Write-Host ("  {0,-14} {1,-22} {2:0.00}  {3}" -f $_.Id, $_.Cause, $_.Score, $_.Reason) }
Write-Host 'Evidence:'
$diagnosis.Evidence | ForEach-Object { Write-Host "  $($_.Citation)  $($_.Summary)" }
Write-Host "Recommendation: $($diagnosis.Recommendation.Summary)"
$diagnosis.Recommendation.Changes | ForEach-Object { Write-Host "  $_" }
Write-Host "Next step: $($diagnosis.NextStep)"

Section 'Export-NginxFinding (YAML for the ticket / runbook)'
$diagnosis | Export-NginxFinding | Write-Host

Section 'Every recorded incident'
$rows = foreach ($d in Get-ChildItem $root -Directory | Sort-Object Name) {
    $expected = [regex]::Match((Get-Content -Raw (Join-Path $d.FullName 'README.md')), 'Expected cause: \*\*(\w+)\*\*').Groups[1].Value
    $r = Find-ResetCause -IncidentPath $d.FullName -TimeZone $zone -WarningAction SilentlyContinue | Select-Object -First 1
    [pscustomobject]@{ Incident = $d.Name; Expected = $expected; Diagnosed = $r.Cause; Confidence = '{0} {1:0.00}' -f $r.ConfidenceLevel, $r.Confidence; Right = "$($r.Cause)" -eq $expected }
}
$rows | Format-Table -AutoSize | Out-Host
$right = @($rows | Where-Object Right).Count
Write-Host "$right of $($rows.Count) recorded incidents diagnosed as reproduced."
if ($right -ne $rows.Count) { exit 1 }
