# Scenario 3: SIGKILL of a gunicorn worker that had already read its whole request. The kernel closes
# the socket with FIN, so nginx logs "upstream prematurely closed connection while reading response
# header from upstream" and answers 502. Expected cause: BackendKilled.
Describe 'Scenario 3: worker SIGKILLed after reading its request' -Tag 'E2E', 'Scenario3' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'kill-after-read' $PSCommandPath
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '60')
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
        Start-Sleep -Milliseconds 300          # the worker is inside time.sleep, request fully read
        Send-E2ESignal $Victim 'KILL'
        $script:Status = Receive-E2ERequest $req
        Wait-E2EReplacementWorker $Backend $Victim
        Save-E2EArtifacts $Run @{ victimPid = $Victim } -Cause 'BackendKilled' -Cite @{ File = 'gunicorn.log'; Pattern = "Worker with pid $Victim was terminated due to signal 9" } -Evidence @(
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'nginx: FIN before any header (the request had been read)' }
            @{ File = 'gunicorn.log'; Pattern = 'terminated due to signal 9'; Why = 'the worker serving the GET was SIGKILLed' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 502 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'nginx logged a premature close (FIN), not a reset' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'upstream prematurely closed connection while reading response header from upstream'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "GET /slow\?s=30 HTTP/1.0"|request: "GET /slow\?s=30 HTTP/1.1"'
        (Find-E2ELine $Run 'error.log' '\(104: Connection reset by peer\)').Count | Should -Be 0
    }
    It 'gunicorn logged the SIGKILL of that worker' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' "Worker with pid $Victim was terminated due to signal 9").Count | Should -Be 1
    }
    It 'the module reads the evidence: a premature close and the SIGKILL of the worker' {
        Assert-E2ERunnable
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('PrematureClose')
        $events = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'gunicorn.log' | Where-Object ProcessId -eq $Victim
        @($events | Where-Object { "$($_.Kind)" -eq 'WorkerKilled' -and "$($_.Signal)" -eq 'SIGKILL' }).Count | Should -Be 1
    }
    It 'Find-ResetCause names BackendKilled and cites the SIGKILL' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
