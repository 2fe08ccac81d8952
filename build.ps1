#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents, tests, benchmarks and demonstrates the NginxUpstream module.
.DESCRIPTION
    Tasks:
      Build  assemble out/NginxUpstream/ (manifest, DLLs, Dependencies/, format file, help)
      Help   compile docs/help (PlatyPS markdown) to MAML and about_*.help.txt
      Test   xunit, Pester (tests/Pester) and the E2E suite (tests/e2e); ends with "N passed, N failed"
      Bench  the benchmarks under bench/ (see bench/README.md)
      Demo   the whole diagnosis on a bundled incident recorded from real services
    Run it with the pinned pwsh: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Help', 'Test', 'Bench', 'Demo', 'Clean')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Test: skip the E2E suite (it needs root, apt packages and a few minutes).
    [switch] $SkipE2E,
    # Test: Pester tag filter for the E2E suite, e.g. -E2ETag Scenario4.
    [string[]] $E2ETag
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'NginxUpstream'
$PesterVersion = '6.2.0'
# A second YamlDotNet, different from ours, to prove the load-context isolation.
$ForeignYamlVersion = '13.7.1'

function Fail([string] $Message, [string] $Fix) {
    Write-Host "build.ps1: $Message" -ForegroundColor Red
    if ($Fix) { Write-Host "  fix: $Fix" -ForegroundColor Yellow }
    exit 2
}

# Runs this same pwsh in a new process (a fresh session). Under `dotnet pwsh` the process is
# the dotnet host, so pwsh.dll is run through it.
function Invoke-FreshPwsh([string[]] $Arguments) {
    $host_ = [Environment]::ProcessPath
    if ($host_ -match 'dotnet$') {
        $pwshDll = Join-Path ([IO.Path]::GetDirectoryName([Management.Automation.PSObject].Assembly.Location)) 'pwsh.dll'
        & $host_ $pwshDll -NoProfile -NonInteractive @Arguments
    }
    else { & $host_ -NoProfile -NonInteractive @Arguments }
}

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { Fail "$What failed (exit $LASTEXITCODE)." 'Read the output above.' }
}

function Assert-Tools {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
        Fail 'the .NET SDK (dotnet) is not on PATH.' 'Install the .NET 10 SDK (https://dot.net) and run again.'
    }
    $sdk = (& dotnet --version 2>$null)
    if (-not $sdk -or [version]($sdk -replace '-.*$') -lt [version]'10.0') {
        Fail "the .NET SDK is '$sdk'; 10.0 or later is needed." 'Install the .NET 10 SDK.'
    }
}

function Get-NuGetRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    return (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages')
}

# Downloads packages that are not build dependencies (Pester, the foreign YamlDotNet) with a
# throwaway project, the way NuGet restores anything else; returns the package folder.
function Get-NuGetPackage([string] $Id, [string] $Version) {
    $dir = Join-Path (Get-NuGetRoot) "$($Id.ToLowerInvariant())/$Version"
    if (Test-Path (Join-Path $dir '*.nupkg.metadata')) { return $dir }
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "nu-dl-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $tmp | Out-Null
    try {
        @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$Id" Version="[$Version]" /></ItemGroup>
</Project>
"@ | Set-Content (Join-Path $tmp 'dl.csproj')
        & dotnet restore (Join-Path $tmp 'dl.csproj') --verbosity quiet | Out-Host
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $dir)) {
            Fail "could not download NuGet package $Id $Version." "Check that NuGet is reachable (dotnet nuget list source) and that $Id $Version is served."
        }
    }
    finally { Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue }
    return $dir
}

function Get-ModuleVersion {
    [xml] $props = Get-Content (Join-Path $Root 'Directory.Build.props')
    return $props.Project.PropertyGroup.Version
}

function Invoke-Build {
    Assert-Tools
    Write-Host '== Build' -ForegroundColor Cyan
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $Root 'src/NginxUpstream/NginxUpstream.csproj') -c $Configuration --nologo -v quiet }
    $bin = Join-Path $Root "src/NginxUpstream/bin/$Configuration/net8.0"
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $deps = Join-Path $ModuleOut 'Dependencies'
    New-Item -ItemType Directory -Path $deps -Force | Out-Null
    # Root: only our own assemblies that the default load context may see.
    foreach ($f in 'NginxUpstream.dll', 'NginxUpstream.Core.dll') { Copy-Item (Join-Path $bin $f) $ModuleOut }
    # Dependencies/: the YAML bridge and YamlDotNet, loaded only through the module's private context.
    foreach ($f in 'NginxUpstream.Yaml.dll', 'YamlDotNet.dll') { Copy-Item (Join-Path $bin $f) $deps }

    # Format views: one file per record type under src/NginxUpstream/Formats, merged into one.
    $merged = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions/></Configuration>'
    $defs = $merged.Configuration.SelectSingleNode('ViewDefinitions')
    $formatDir = Join-Path $Root 'src/NginxUpstream/Formats'
    foreach ($file in @(if (Test-Path $formatDir) { Get-ChildItem $formatDir -Filter '*.Format.ps1xml' | Sort-Object Name })) {
        [xml] $x = Get-Content -Raw $file.FullName
        foreach ($view in $x.SelectNodes('/Configuration/ViewDefinitions/View')) {
            [void] $defs.AppendChild($merged.ImportNode($view, $true))
        }
    }
    $merged.Save((Join-Path $ModuleOut 'NginxUpstream.Format.ps1xml'))

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $Root 'NginxUpstream.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'NginxUpstream.psd1') -Value $manifest -NoNewline
    $null = Test-ModuleManifest (Join-Path $ModuleOut 'NginxUpstream.psd1')
    Invoke-Help
    Write-Host "Built $ModuleOut ($version)"
}

function Invoke-Help {
    Assert-Tools
    Write-Host '== Help' -ForegroundColor Cyan
    $enUs = Join-Path $ModuleOut 'en-US'
    New-Item -ItemType Directory -Path $enUs -Force | Out-Null
    Invoke-Native 'help compiler build' { dotnet build (Join-Path $Root 'tools/HelpCompiler/HelpCompiler.csproj') -c $Configuration --nologo -v quiet }
    $exe = Join-Path $Root "tools/HelpCompiler/bin/$Configuration/net10.0/HelpCompiler.dll"
    Invoke-Native 'help compilation' { dotnet $exe (Join-Path $Root 'docs/help') $enUs 'NginxUpstream.dll-Help.xml' }
}

function Read-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    return [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = [int]$c.notExecuted + [int]$c.notRunnable }
}

# Runs Pester in a fresh pwsh against the built module; returns counts.
function Invoke-PesterRun([string] $Name, [string] $TestPath, [string[]] $Tag) {
    $pester = Join-Path (Get-NuGetPackage 'Pester' $PesterVersion) 'tools/Pester.psd1'
    $foreign = Get-NuGetPackage 'YamlDotNet' $ForeignYamlVersion
    $result = Join-Path $Out "testResults/$Name.json"
    New-Item -ItemType Directory -Path (Split-Path $result) -Force | Out-Null
    $script = @'
param($Pester, $TestPath, $Result, $Tag, $Xml)
$ErrorActionPreference = 'Stop'
Import-Module $Pester -Force
$c = New-PesterConfiguration
$c.Run.Path = $TestPath
$c.Run.PassThru = $true
$c.Output.Verbosity = 'Detailed'
$c.TestResult.Enabled = $true
$c.TestResult.OutputPath = $Xml
$c.TestResult.OutputFormat = 'NUnitXml'
if ($Tag) { $c.Filter.Tag = $Tag }
$r = Invoke-Pester -Configuration $c
[pscustomobject]@{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount + $r.NotRunCount } |
    ConvertTo-Json | Set-Content $Result
'@
    $runner = Join-Path $Out "testResults/run-$Name.ps1"
    Set-Content -Path $runner -Value $script
    $env:NGINXUPSTREAM_MODULE = Join-Path $ModuleOut 'NginxUpstream.psd1'
    $env:NGINXUPSTREAM_FOREIGN_YAMLDOTNET = (Get-ChildItem $foreign -Recurse -Filter YamlDotNet.dll | Where-Object FullName -match 'net(6|8)\.0|netstandard2\.1' | Select-Object -First 1).FullName
    # The shared corpora: beside the repository unless the caller says where (the tests read the same variable).
    if (-not $env:NGINXUPSTREAM_SHARED) { $env:NGINXUPSTREAM_SHARED = Join-Path $Root '../shared' }
    Invoke-FreshPwsh @('-File', $runner, $pester, $TestPath, $result, ($Tag -join ','), (Join-Path $Out "testResults/$Name.xml")) | Out-Host
    if (-not (Test-Path $result)) {
        Write-Host "Pester run '$Name' produced no result: counted as one failure." -ForegroundColor Red
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    return Get-Content -Raw $result | ConvertFrom-Json
}

function Invoke-Test {
    Invoke-Build
    $totals = [ordered]@{}
    Write-Host '== xunit' -ForegroundColor Cyan
    $trxDir = Join-Path $Out 'testResults'
    New-Item -ItemType Directory -Path $trxDir -Force | Out-Null
    Remove-Item (Join-Path $trxDir 'xunit.trx') -ErrorAction SilentlyContinue
    & dotnet test (Join-Path $Root 'tests/NginxUpstream.Tests/NginxUpstream.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=xunit.trx' --results-directory $trxDir --logger 'console;verbosity=minimal' | Out-Host
    $totals.xunit = if (Test-Path (Join-Path $trxDir 'xunit.trx')) { Read-TrxCounts (Join-Path $trxDir 'xunit.trx') } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    Write-Host '== Pester' -ForegroundColor Cyan
    $totals.pester = Invoke-PesterRun 'pester' (Join-Path $Root 'tests/Pester') $null

    $e2e = Join-Path $Root 'tests/e2e'
    if (-not $SkipE2E -and (Get-ChildItem $e2e -Filter '*.Tests.ps1' -ErrorAction SilentlyContinue)) {
        Write-Host '== E2E' -ForegroundColor Cyan
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $totals.e2e = Invoke-PesterRun 'e2e' $e2e $E2ETag
        Write-Host ("E2E suite took {0:N0} s" -f $sw.Elapsed.TotalSeconds)
    }

    $passed = 0; $failed = 0; $skipped = 0
    foreach ($k in $totals.Keys) {
        $t = $totals[$k]
        Write-Host ("{0,-7} {1} passed, {2} failed, {3} skipped" -f $k, $t.Passed, $t.Failed, $t.Skipped)
        $passed += $t.Passed; $failed += $t.Failed; $skipped += $t.Skipped
    }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Bench {
    Invoke-Build
    $script = Join-Path $Root 'bench/Invoke-Benchmark.ps1'
    if (-not (Test-Path $script)) { Fail 'bench/Invoke-Benchmark.ps1 is missing.' 'Restore it from git.' }
    & $script -ModulePath (Join-Path $ModuleOut 'NginxUpstream.psd1')
}

function Invoke-Demo {
    Invoke-Build
    $script = Join-Path $Root 'demo/Invoke-Demo.ps1'
    if (-not (Test-Path $script)) { Fail 'demo/Invoke-Demo.ps1 is missing.' 'Restore it from git.' }
    Invoke-FreshPwsh @('-File', $script, '-ModulePath', (Join-Path $ModuleOut 'NginxUpstream.psd1'))
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue }
        'Build' { Invoke-Build }
        'Help' { Invoke-Help }
        'Test' { Invoke-Test }
        'Bench' { Invoke-Bench }
        'Demo' { Invoke-Demo }
    }
}
