#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every bench/*.Bench.ps1 against the built module. Each benchmark measures its ratios in
    one run (the machine is noisy) and prints a table; see bench/README.md for targets and results.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh ./bench/Invoke-Benchmark.ps1 -ModulePath ./out/NginxUpstream/NginxUpstream.psd1 -Name ErrorLog
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Only benchmarks whose file name starts with one of these (ErrorLog, ResetCause, ...).
    [string[]] $Name,
    # Where generated inputs go (large); default bench/data (git-ignored).
    [string] $DataDirectory = (Join-Path $PSScriptRoot 'data')
)
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Path $DataDirectory -Force | Out-Null
$scripts = Get-ChildItem $PSScriptRoot -Filter '*.Bench.ps1' | Sort-Object Name
if ($Name) { $scripts = $scripts | Where-Object { $n = $_.Name; $Name | Where-Object { $n -like "$_*" } } }
if (-not $scripts) { throw "No benchmark matched under $PSScriptRoot." }
foreach ($s in $scripts) {
    Write-Host "== $($s.BaseName)" -ForegroundColor Cyan
    & $s.FullName -ModulePath $ModulePath -DataDirectory $DataDirectory
}
