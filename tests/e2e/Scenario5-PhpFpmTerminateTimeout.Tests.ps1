# Scenario 5: php-fpm with request_terminate_timeout = 2s runs a script that sleeps 30 s. The master
# logs "execution timed out ... terminating" and SIGTERMs the child; nginx loses the FastCGI
# connection mid-request and answers 502. Expected cause: BackendWorkerTimeout.
Describe 'Scenario 5: php-fpm request_terminate_timeout' -Tag 'E2E', 'Scenario5' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'PhpFpm'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'php-fpm-terminate-timeout' $PSCommandPath
        $script:Backend = Start-E2EPhpFpm $Run 'request_terminate_timeout = 2s'
        $null = Start-E2ENginx $Run @"
    server {
        listen 127.0.0.1:@PORT@;
        root $($Run.Work)/www;
        location ~ \.php$ {
            fastcgi_pass $($Backend.Bind);
            fastcgi_param SCRIPT_FILENAME `$document_root`$fastcgi_script_name;
            fastcgi_param SCRIPT_NAME `$fastcgi_script_name;
            fastcgi_param QUERY_STRING `$query_string;
            fastcgi_param REQUEST_METHOD `$request_method;
            fastcgi_param CONTENT_TYPE `$content_type;
            fastcgi_param CONTENT_LENGTH `$content_length;
            fastcgi_param REQUEST_URI `$request_uri;
            fastcgi_param SERVER_PROTOCOL `$server_protocol;
            fastcgi_param REMOTE_ADDR `$remote_addr;
        }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/ok.php'
        $req = Start-E2ERequest $Run '/slow.php?s=30'
        $script:Victim = [int](Wait-E2EFile (Join-Path $Run.State 'php-slow.pid'))
        $script:Status = Receive-E2ERequest $req 20
        Wait-E2ECondition { (Get-Content $Backend.Log -Raw) -match "child $Victim exited" } 10 'php-fpm to reap the child'
        Save-E2EArtifacts $Run @{ victimPid = $Victim; requestTerminateTimeout = '2s' } -Cause 'BackendWorkerTimeout' -Cite @{ File = 'php-fpm.log'; Pattern = 'execution timed out' } -Evidence @(
            @{ File = 'php-fpm.log'; Pattern = 'execution timed out|exited on signal'; Why = 'request_terminate_timeout: the master SIGTERMed the child' }
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'nginx lost the FastCGI connection mid-request' }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the client got 502 after a healthy 200' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'php-fpm logged the timeout and the SIGTERM of that child' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'php-fpm.log' "WARNING: \[pool www\] child $Victim, script '.*slow\.php' \(request: `"GET /slow\.php\?s=30`"\) execution timed out \(\d+\.\d+ sec\), terminating").Count | Should -Be 1
        (Find-E2ELine $Run 'php-fpm.log' "WARNING: \[pool www\] child $Victim exited on signal 15 \(SIGTERM\)").Count | Should -Be 1
    }
    It 'nginx logged the upstream failure of that request' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'upstream prematurely closed FastCGI stdout|recv\(\) failed \(104: Connection reset by peer\)|upstream prematurely closed connection'
        $hits.Count | Should -Be 1
        $hits[0].Line | Should -Match 'request: "GET /slow\.php\?s=30 HTTP/1\.1", upstream: "fastcgi://unix:'
    }
    It 'the module reads the evidence: the request timeout and SIGTERM of the child, the FastCGI failure' {
        Assert-E2ERunnable
        $events = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'php-fpm.log' | Where-Object ProcessId -eq $Victim
        @($events | ForEach-Object { "$($_.Kind)" }) | Should -Contain 'RequestTimedOut'
        @($events | Where-Object { "$($_.Kind)" -eq 'WorkerKilled' -and "$($_.Signal)" -eq 'SIGTERM' }).Count | Should -Be 1
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        $errors.Count | Should -Be 1
        $errors[0].Upstream | Should -Match '^fastcgi://unix:'
    }
    It 'Find-ResetCause names BackendWorkerTimeout and cites the execution timed out line' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
