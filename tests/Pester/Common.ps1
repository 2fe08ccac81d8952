# Dot-sourced by every Pester file: where the built module and the shared corpora are.
$script:ModulePath = if ($env:NGINXUPSTREAM_MODULE) { $env:NGINXUPSTREAM_MODULE } else { Join-Path $PSScriptRoot '../../out/NginxUpstream/NginxUpstream.psd1' }
$script:SharedRoot = if ($env:NGINXUPSTREAM_SHARED) { $env:NGINXUPSTREAM_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

# Runs a script in a fresh pwsh (same pwsh as this one) and returns its output lines: for what
# only a new session can show (assembly load order, help caching).
function Invoke-FreshPwsh([string] $Script) {
    $pwshDll = Join-Path ([System.IO.Path]::GetDirectoryName([System.Management.Automation.PSObject].Assembly.Location)) 'pwsh.dll'
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "nu-fresh-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content -Path $file -Value $Script
    try {
        # Under `dotnet pwsh` the process is the dotnet host: run pwsh.dll through it.
        if ([Environment]::ProcessPath -match 'dotnet$') { & ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -File $file 2>&1 }
        else { & ([Environment]::ProcessPath) -NoProfile -NonInteractive -File $file 2>&1 }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
}
