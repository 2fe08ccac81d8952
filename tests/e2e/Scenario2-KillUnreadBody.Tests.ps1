# Scenario 2: SIGKILL of a gunicorn worker while part of the request body is still unread in its
# socket's receive buffer (the handler sleeps without reading the 12 KiB POST body; gunicorn's first
# 8 KiB read took the headers and the start of the body). Closing a socket with unread data makes the
# kernel answer RST, so nginx logs "recv() failed (104: Connection reset by peer)". It is still a
# backend death, not a keepalive or body-size problem. Expected cause: BackendKilled.
Describe 'Scenario 2: worker SIGKILLed with request bytes unread' -Tag 'E2E', 'Scenario2' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'kill-unread-body' $PSCommandPath
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '60')
        # client_body_buffer_size 16k keeps the 12 KiB body in memory (the x86-64 default, 8k, would
        # buffer it to a temp file and add a body-size hint this scenario is not about).
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$port; }
    server {
        listen 127.0.0.1:@PORT@;
        client_body_buffer_size 16k;
        location / { proxy_pass http://app; }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok'
        $req = Start-E2ERequest $Run '/noread?s=30' 'POST' 12288
        $script:Victim = [int](Wait-E2EFile (Join-Path $Run.State 'noread.pid'))
        Start-Sleep -Milliseconds 300          # nginx has sent the whole body; the worker sleeps on it
        Send-E2ESignal $Victim 'KILL'
        $script:Status = Receive-E2ERequest $req
        Wait-E2EReplacementWorker $Backend $Victim
        Save-E2EArtifacts $Run @{ victimPid = $Victim } -Cause 'BackendKilled' -Cite @{ File = 'gunicorn.log'; Pattern = "Worker with pid $Victim was terminated due to signal 9" } -Evidence @(
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'nginx: RST (104) because request bytes were unread when the worker died' }
            @{ File = 'gunicorn.log'; Pattern = 'terminated due to signal 9'; Why = 'the worker serving the POST was SIGKILLed' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 502 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'nginx logged a reset (104) while reading the response header' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "POST /noread\?s=30 HTTP/1\.1"'
        (Find-E2ELine $Run 'error.log' 'prematurely closed|buffered to a temporary file').Count | Should -Be 0
    }
    It 'gunicorn logged the SIGKILL of that worker' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' "Worker with pid $Victim was terminated due to signal 9").Count | Should -Be 1
    }
    It 'the module reads the evidence: a POST reset (104) and the SIGKILL of the worker' {
        Assert-E2ERunnable
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        $errors.Count | Should -Be 1
        "$($errors[0].Kind)" | Should -Be 'Reset'
        $errors[0].Errno | Should -Be 104
        $errors[0].Method | Should -Be 'POST'
        $events = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'gunicorn.log' | Where-Object ProcessId -eq $Victim
        @($events | Where-Object { "$($_.Kind)" -eq 'WorkerKilled' -and "$($_.Signal)" -eq 'SIGKILL' }).Count | Should -Be 1
    }
    It 'Find-ResetCause names BackendKilled (not keepalive, not body) and cites the SIGKILL' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
