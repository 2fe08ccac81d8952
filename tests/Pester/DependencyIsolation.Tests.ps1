# YamlDotNet lives in the module's private AssemblyLoadContext: the module must import and write
# YAML when another YamlDotNet version is already loaded, and a YamlDotNet loaded after ours must
# still load. Each order runs in a fresh pwsh, with a real second YamlDotNet from NuGet.
BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    $script:Foreign = $env:NGINXUPSTREAM_FOREIGN_YAMLDOTNET
    $script:Line = '2026/11/27 10:00:00 [error] 4242#4242: *7 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: "POST /orders HTTP/1.1", upstream: "http://127.0.0.1:8000/orders", host: "shop"'
    $script:Probe = @'
$yaml = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } |
    ForEach-Object { '{0}={1}' -f [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name, $_.GetName().Version }
"LOADED:" + (($yaml | Sort-Object) -join ';')
'@
}

Describe 'YamlDotNet isolation' {
    It 'has a foreign YamlDotNet to test with' {
        $Foreign | Should -Exist
        [Reflection.AssemblyName]::GetAssemblyName($Foreign).Version.Major | Should -Be 13
    }

    It 'imports and exports YAML when another YamlDotNet was loaded first' {
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$Foreign'
`$null = [YamlDotNet.Serialization.SerializerBuilder]::new()
Import-Module '$ModulePath'
'$($Line -replace "'", "''")' | Get-NginxUpstreamError | Export-NginxFinding
$Probe
"@
        $text = $out -join "`n"
        $text | Should -Match 'schemaVersion: 1'
        $text | Should -Match 'ECONNRESET|Reset'
        $text | Should -Match 'LOADED:.*Default=13\.'
        $text | Should -Match 'LOADED:.*NginxUpstream=16\.'
    }

    It 'lets a YamlDotNet loaded after the module work' {
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath'
'$($Line -replace "'", "''")' | Get-NginxUpstreamError | Export-NginxFinding | Out-Null
Add-Type -Path '$Foreign'
`$s = [YamlDotNet.Serialization.SerializerBuilder]::new().Build()
'FOREIGN:' + `$s.Serialize(@{ a = 1 }).Trim()
$Probe
"@
        $text = $out -join "`n"
        $text | Should -Match 'FOREIGN:a: 1'
        $text | Should -Match 'LOADED:.*Default=13\.'
        $text | Should -Match 'LOADED:.*NginxUpstream=16\.'
    }
}
