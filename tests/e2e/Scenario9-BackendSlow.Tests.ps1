# Scenario 9: the backend answers after 4 s but nginx's proxy_read_timeout is 2 s. nginx logs
# "upstream timed out (110: Connection timed out) while reading response header from upstream" and
# answers 504; the backend is alive and logs no failure. Expected cause: BackendSlow.
Describe 'Scenario 9: backend slower than proxy_read_timeout' -Tag 'E2E', 'Scenario9' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'backend-slow' $PSCommandPath
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '30')
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$port; }
    server {
        listen 127.0.0.1:@PORT@;
        location / {
            proxy_pass http://app;
            proxy_read_timeout 2s;
        }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok'
        $script:Status = Invoke-E2ERequest $Run '/slow?s=4'
        $script:Worker = [int](Wait-E2EFile (Join-Path $Run.State 'slow.pid'))
        Start-Sleep -Seconds 2.5               # the handler finishes after nginx gave up
        $script:WorkerAlive = Test-E2EAlive $Worker
        Save-E2EArtifacts $Run @{ workerPid = $Worker; proxyReadTimeout = '2s'; backendDelaySec = 4 } -Cause 'BackendSlow' -Cite @{ File = 'error.log'; Pattern = '\(110: Connection timed out\)' } -Evidence @(
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'upstream timed out (110) after proxy_read_timeout 2s' }
            @{ File = 'access.log'; Pattern = '" 504 '; Why = 'the client got 504' }
            @{ File = 'nginx.conf'; Pattern = 'proxy_read_timeout'; Why = 'the timeout the backend (4 s) exceeded' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 504 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 504
    }
    It 'nginx logged upstream timed out (110) while reading the response header' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'upstream timed out \(110: Connection timed out\) while reading response header from upstream'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "GET /slow\?s=4 HTTP/1\.1"'
    }
    It 'the backend stayed alive: no timeout, no kill, same worker' {
        Assert-E2ERunnable
        $WorkerAlive | Should -BeTrue
        (Find-E2ELine $Run 'gunicorn.log' 'WORKER TIMEOUT|terminated due to signal').Count | Should -Be 0
    }
    It 'the module reads the evidence: one upstream timeout (110)' {
        Assert-E2ERunnable
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('TimedOut')
        $errors[0].Errno | Should -Be 110
    }
    It 'Find-ResetCause names BackendSlow and cites the 110 line' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
