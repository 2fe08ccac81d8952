@{
    RootModule           = 'NginxUpstream.dll'
    ModuleVersion        = '0.1.0'   # stamped by build.ps1 from Directory.Build.props
    GUID                 = '5d0c7f0e-2f4a-4d38-9c61-3b7c1e2a9b54'
    Author               = 'NginxUpstream contributors'
    CompanyName          = 'NginxUpstream'
    Copyright            = '(c) NginxUpstream contributors. MIT License.'
    Description          = 'Diagnose nginx 502s caused by upstream connection failures (104 resets, premature closes, 111, 110): read error.log, nginx config, kernel OOM kills and backend logs, name the cause with evidence and the fix, and export YAML findings.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('NginxUpstream.Format.ps1xml')
    TypesToProcess       = @()
    # One name per line, explicit, no wildcards: command discovery reads this without loading the DLL.
    CmdletsToExport      = @(
        'Export-NginxFinding'
        'Find-ResetCause'
        'Get-BackendEvent'
        'Get-NginxConfig'
        'Get-NginxUpstreamError'
        'Get-OomKill'
        'Get-ProcessCrash'
        'Get-UpstreamSocket'
        'Import-NginxFinding'
        'Invoke-NginxResetDiagnosis'
        'Test-NginxKeepaliveConfig'
        'Test-NginxUpstream'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('nginx', '502', 'upstream', 'keepalive', 'oom', 'gunicorn', 'php-fpm', 'diagnostics', 'Linux', 'PSEdition_Core')
            ReleaseNotes = 'See README.md.'
        }
    }
}
