# Scenario 8: the backend is stopped (gunicorn SIGTERM, a clean shutdown) while nginx keeps proxying
# to it. Nothing listens on the port, so connect() fails with 111 and nginx answers 502.
# Expected cause: BackendDown.
Describe 'Scenario 8: backend down (connection refused)' -Tag 'E2E', 'Scenario8' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'backend-down' $PSCommandPath
        $script:Port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$Port" @('--worker-class', 'sync')
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$Port; }
    server {
        listen 127.0.0.1:@PORT@;
        location / { proxy_pass http://app; }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok'
        Stop-E2EProcessTree $Backend.Pid
        Wait-E2ECondition { -not (Test-E2ETcp '127.0.0.1' $Port) } 10 'the backend port to close'
        $script:Statuses = @(1..3 | ForEach-Object { Invoke-E2ERequest $Run "/ok?try=$_" })
        Save-E2EArtifacts $Run @{ backendPort = $Port } -Cause 'BackendDown' -Cite @{ File = 'error.log'; Pattern = '\(111: Connection refused\)' } -Evidence @(
            @{ File = 'gunicorn.log'; Pattern = 'Handling signal|Shutting down'; Why = 'the backend was stopped' }
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'connect() refused (111): nothing listens' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the clients got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 200 while the backend ran, then 502s' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Statuses | Should -Be @(502, 502, 502)
    }
    It 'nginx logged connect() failed (111) for each request' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' "connect\(\) failed \(111: Connection refused\) while connecting to upstream.*upstream: `"http://127\.0\.0\.1:$Port/"
        $hits.Count | Should -Be 3
    }
    It 'gunicorn logged its own shutdown' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' 'Shutting down: Master').Count | Should -Be 1
    }
    It 'the module reads the evidence: three refused connections to the backend port' {
        Assert-E2ERunnable
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('Refused', 'Refused', 'Refused')
        @($errors | ForEach-Object Errno) | Should -Be @(111, 111, 111)
    }
    It 'Find-ResetCause names BackendDown and cites the 111 lines' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
