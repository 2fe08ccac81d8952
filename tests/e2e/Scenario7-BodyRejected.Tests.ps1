# Scenario 7: the backend refuses an 8 MiB upload (its limit is 1 MiB) by closing the connection at
# once, without reading the body and without a response (it logs a warning). nginx accepted the body
# (client_max_body_size 16m), buffered it to a temporary file (a [warn] on the same connection *N) and
# is still sending it when the backend's kernel resets the connection over the unread bytes: 104 and
# 502. (A backend that first writes a 413 makes the outcome a race: nginx may read the 413 before
# the RST and pass it on.) Expected cause: RequestBodyRejected.
Describe 'Scenario 7: backend closes on an oversized body without reading it' -Tag 'E2E', 'Scenario7' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'body-rejected' $PSCommandPath
        $port = Get-E2EFreePort
        $script:Backend = Start-E2EGunicorn $Run "127.0.0.1:$port" @('--worker-class', 'sync', '--timeout', '60')
        $null = Start-E2ENginx $Run @"
    upstream app { server 127.0.0.1:$port; }
    server {
        listen 127.0.0.1:@PORT@;
        client_max_body_size 16m;
        location / { proxy_pass http://app; }
    }
"@
        $script:Baseline = Invoke-E2ERequest $Run '/upload?limit=1048576' 'POST' 4096
        $script:Status = Invoke-E2ERequest $Run '/upload?limit=1048576' 'POST' (8 * 1024 * 1024)
        Save-E2EArtifacts $Run @{ bodyBytes = 8388608; backendLimitBytes = 1048576 } -Cause 'RequestBodyRejected' -Cite @{ File = 'error.log'; Pattern = 'Connection reset by peer|Broken pipe|prematurely closed' } -Evidence @(
            @{ File = 'error.log'; Pattern = '\[warn\]|\[error\]'; Why = 'same connection *N: body buffered to a temp file, then reset by the backend' }
            @{ File = 'gunicorn.log'; Pattern = 'WARNING'; Why = 'the application refused the body and closed without reading it'; Context = $true }
            @{ File = 'access.log'; Pattern = '" 502 '; Why = 'the client got 502' })
    }
    AfterAll { Stop-E2EResources }

    It 'the small upload got 200, the 8 MiB one 502' {
        Assert-E2ERunnable
        $Baseline | Should -Be 200
        $Status | Should -Be 502
    }
    It 'nginx logged a reset on the connection whose body went to a temp file' {
        Assert-E2ERunnable
        $buffered = Find-E2ELine $Run 'error.log' '\[warn\] .* \*(\d+) a client request body is buffered to a temporary file'
        $buffered.Count | Should -Be 1
        $conn = [regex]::Match($buffered[0].Line, ' \*(\d+) ').Groups[1].Value
        $reset = Find-E2ELine $Run 'error.log' "\[error\] .* \*$conn .*(\(104: Connection reset by peer\)|\(32: Broken pipe\)|prematurely closed)"
        $reset.Count | Should -Be 1
        $reset[0].Line | Should -Match 'request: "POST /upload\?limit=1048576 HTTP/1\.1"'
    }
    It 'the backend logged the refusal and no worker died' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' '\[WARNING\] upload of 8388608 bytes over the 1048576-byte limit').Count | Should -Be 1
        (Find-E2ELine $Run 'gunicorn.log' 'WORKER TIMEOUT|terminated due to signal').Count | Should -Be 0
    }
    It 'the module reads the evidence: body buffered and reset on the same connection' {
        Assert-E2ERunnable
        $records = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log' @{ All = $true }
        @($records | ForEach-Object { "$($_.Kind)" }) | Should -Be @('BodyBuffered', 'Reset')
        $records[1].ConnectionId | Should -Be $records[0].ConnectionId
    }
    It 'Find-ResetCause names RequestBodyRejected and cites the reset line' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
