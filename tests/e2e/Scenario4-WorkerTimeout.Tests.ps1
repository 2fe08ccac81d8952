# Scenario 4: gunicorn --timeout 2 with a handler that sleeps 30 s. The arbiter logs
# "[CRITICAL] WORKER TIMEOUT (pid:N)" and aborts the worker (20.1: SIGABRT, worker exits); the request
# had been read, so nginx logs a premature close and answers 502. Expected cause: BackendWorkerTimeout.
Describe 'Scenario 4: gunicorn worker timeout' -Tag 'E2E', 'Scenario4' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'gunicorn-worker-timeout' $PSCommandPath
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '2')
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$port; }
    server {
        listen 127.0.0.1:@PORT@;
        location / { proxy_pass http://app; }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok'
        $req = Start-E2ERequest $Run '/slow?s=30'
        $script:Victim = [int](Wait-E2EFile (Join-Path $Run.State 'slow.pid'))
        $script:Status = Receive-E2ERequest $req 20
        Wait-E2EReplacementWorker $Backend $Victim
        Save-E2EArtifacts $Run @{ victimPid = $Victim; gunicornTimeout = 2 } -Cause 'BackendWorkerTimeout' -Cite @{ File = 'gunicorn.log'; Pattern = 'WORKER TIMEOUT' } -Evidence @(
            @{ File = 'gunicorn.log'; Pattern = 'WORKER TIMEOUT|Worker exiting'; Why = 'the arbiter aborted the silent worker after --timeout 2' }
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'nginx: the worker closed (FIN) before any header' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 502 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'gunicorn logged WORKER TIMEOUT for the worker serving the request' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' "\[CRITICAL\] WORKER TIMEOUT \(pid:$Victim\)").Count | Should -Be 1
    }
    It 'nginx logged the upstream failure of that request' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'upstream prematurely closed connection while reading response header from upstream'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "GET /slow\?s=30 HTTP/1\.1"'
    }
    It 'the module reads the evidence: WORKER TIMEOUT of the worker and the premature close' {
        Assert-E2ERunnable
        $events = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'gunicorn.log' | Where-Object { "$($_.Kind)" -eq 'WorkerTimeout' }
        $events.Count | Should -Be 1
        $events[0].ProcessId | Should -Be $Victim
        $events[0].LineNumber | Should -Be (Find-E2ELine $Run 'gunicorn.log' 'WORKER TIMEOUT')[0].LineNumber
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('PrematureClose')
    }
    It 'Find-ResetCause names BackendWorkerTimeout and cites the WORKER TIMEOUT line' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
