# Scenario 1: a gunicorn worker runs in a memory cgroup (128 MiB, no swap) and a request makes it
# allocate past the limit. The kernel's memcg OOM killer SIGKILLs the worker mid-request; nginx logs
# a premature close (the GET was fully read) and answers 502. Expected cause: BackendOomKilled.
Describe 'Scenario 1: worker OOM-killed in a memory cgroup mid-request' -Tag 'E2E', 'Scenario1' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn', 'MemoryCgroup'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'oom-kill' $PSCommandPath
        $script:Cgroup = New-E2EMemoryCgroup 'oom' 128
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '60') -Cgroup $Cgroup
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$port; }
    server {
        listen 127.0.0.1:@PORT@;
        location / { proxy_pass http://app; }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok'
        $req = Start-E2ERequest $Run '/hog?mb=1024&step=16'
        $script:Victim = [int](Wait-E2EFile (Join-Path $Run.State 'hog.pid'))
        $script:Status = Receive-E2ERequest $req 30
        Wait-E2EReplacementWorker $Backend $Victim
        Save-E2EArtifacts $Run @{ victimPid = $Victim; memoryCgroup = $Cgroup; limitMiB = 128 } -Cause 'BackendOomKilled' -Cite @{ File = 'dmesg.txt'; Pattern = "Killed process $Victim " } -Evidence @(
            @{ File = 'dmesg.txt'; Pattern = 'invoked oom-killer|oom-kill:constraint|Killed process'; Why = 'memcg OOM kill of the worker serving the request' }
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'nginx: the worker closed (FIN) before any header' }
            @{ File = 'gunicorn.log'; Pattern = 'terminated due to signal 9'; Why = 'gunicorn master reaped the SIGKILLed worker' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 502 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'the kernel OOM-killed exactly the worker serving the request, in our cgroup' {
        Assert-E2ERunnable
        $kill = Find-E2ELine $Run 'dmesg.txt' "Memory cgroup out of memory: Killed process $Victim \("
        $kill.Count | Should -Be 1
        $cgName = Split-Path $Cgroup -Leaf
        (Find-E2ELine $Run 'dmesg.txt' "oom-kill:constraint=CONSTRAINT_MEMCG.*oom_memcg=/$cgName.*pid=$Victim,").Count | Should -Be 1
    }
    It 'nginx logged the upstream failure of that request' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'upstream prematurely closed connection while reading response header from upstream|recv\(\) failed \(104: Connection reset by peer\)'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "GET /hog\?mb=1024&step=16 HTTP/1\.1"'
    }
    It 'gunicorn logged the worker dying of signal 9' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' "Worker with pid $Victim was terminated due to signal 9").Count | Should -Be 1
    }
    It 'the module reads the evidence: the memcg kill of the worker, the premature close, the SIGKILL reap' {
        Assert-E2ERunnable
        $kills = Invoke-E2EReader $Run.Artifacts 'Get-OomKill' 'dmesg.txt' | Where-Object ProcessId -eq $Victim
        $kills.Count | Should -Be 1
        "$($kills[0].Constraint)" | Should -Be 'memcg'
        $kills[0].MemoryCgroup | Should -Be "/$(Split-Path $Cgroup -Leaf)"
        $kills[0].LineNumber | Should -Be (Find-E2ELine $Run 'dmesg.txt' "Killed process $Victim ")[0].LineNumber
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('PrematureClose')
        $events = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'gunicorn.log' | Where-Object ProcessId -eq $Victim
        @($events | Where-Object { "$($_.Kind)" -eq 'WorkerKilled' -and "$($_.Signal)" -eq 'SIGKILL' }).Count | Should -Be 1
    }
    It 'Find-ResetCause names BackendOomKilled and cites the kernel kill line' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
