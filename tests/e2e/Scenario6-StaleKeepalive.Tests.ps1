# Scenario 6: the stale-keepalive race, made deterministic. gunicorn (gthread, --keep-alive 1) runs in
# a network namespace of its own behind a veth pair; nginx keeps idle upstream connections for the
# default 60 s (keepalive 4, HTTP/1.1, Connection ""). nftables inside the backend's namespace drops
# the backend's FIN packets, so when gunicorn closes an idle connection nginx never learns of it and
# reuses the dead connection: the backend's kernel answers the request with RST. nginx logs 104; the
# GET is retried on a fresh connection (client 200), the POSTs are not (client 502). No backend dies.
# Expected cause: StaleKeepalive, with Test-NginxKeepaliveConfig's KA-IDLE finding on the upstream.
Describe 'Scenario 6: stale keepalive connection reused (FIN dropped)' -Tag 'E2E', 'Scenario6' {
    BeforeAll {
        . "$PSScriptRoot/E2ECommon.ps1"
        $script:Skip = Get-E2ESkipReason 'Nginx', 'Gunicorn', 'NetNs', 'Nft'
        if ($script:Skip) { return }
        $script:Run = New-E2ERun 'stale-keepalive' $PSCommandPath
        $script:Net = New-E2ENetNs 'ka' '10.200.68'
        Set-E2ENftRules $Net.Name @'
table inet nu_e2e_ka {
    chain output {
        type filter hook output priority 0; policy accept;
        # the backend's FINs never leave: nginx keeps believing in connections gunicorn closed
        tcp sport 8000 tcp flags & fin == fin counter drop
    }
}
'@
        $script:Backend = Start-E2EGunicorn $Run "$($Net.NsIp):8000" @('--worker-class', 'gthread', '--threads', '2', '--keep-alive', '1') -NetNs $Net.Name
        $null = Start-E2ENginx $Run @"
    upstream app_ka {
        server $($Net.NsIp):8000;
        keepalive 4;
    }
    server {
        listen 127.0.0.1:@PORT@;
        location / {
            proxy_pass http://app_ka;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
"@
        # Instead of sleeping "long enough", wait until gunicorn has closed the idle connection: its
        # socket sits in FIN-WAIT-1 (the FIN is dropped), while nginx still holds it ESTABLISHED.
        $idleClosed = {
            Wait-E2ECondition { (& ip netns exec $Net.Name ss -Htn state fin-wait-1 '( sport = :8000 )') } 15 'gunicorn to close the idle keepalive connection'
        }
        $script:Statuses = @(
            Invoke-E2ERequest $Run '/ok?step=1'                  # opens and caches a connection
            & $idleClosed
            Invoke-E2ERequest $Run '/ok?step=2' 'POST' 512       # stale: RST, not retried -> 502
            Invoke-E2ERequest $Run '/ok?step=3'                  # fresh connection, cached again
            & $idleClosed
            Invoke-E2ERequest $Run '/ok?step=4'                  # stale: RST, retried -> 200
            & $idleClosed
            Invoke-E2ERequest $Run '/ok?step=5' 'POST' 512       # stale again -> 502
        )
        $script:NftCounters = (& ip netns exec $Net.Name nft list ruleset) -join "`n"
        Set-Content (Join-Path $Run.Logs 'nft-ruleset.txt') $NftCounters
        Save-E2EArtifacts $Run @{ netns = $Net.Name; backend = "$($Net.NsIp):8000" } -Cause 'StaleKeepalive' -Cite @{ File = 'error.log'; Pattern = 'recv\(\) failed \(104' } -Finding @{ RuleId = 'KA-IDLE'; File = 'nginx.conf'; Pattern = 'upstream app_ka' } -Evidence @(
            @{ File = 'error.log'; Pattern = '\[error\]'; Why = 'RST on a reused idle connection (two POSTs, one GET)' }
            @{ File = 'access.log'; Pattern = '" 502 |us="502, 200"'; Why = 'POSTs got 502; the GET was retried on a fresh connection (502, 200)' }
            @{ File = 'nft-ruleset.txt'; Pattern = 'drop'; Why = 'the backend namespace dropped its own FINs (packet counter)' }
            @{ File = 'nginx.conf'; Pattern = 'upstream app_ka|keepalive 4|proxy_http_version 1.1|proxy_set_header Connection'; Why = 'upstream keepalive on, default keepalive_timeout 60s vs gunicorn --keep-alive 1' })
    }
    AfterAll { Stop-E2EResources }

    It 'POSTs on a stale connection got 502, GETs were retried and got 200' {
        Assert-E2ERunnable
        $Statuses | Should -Be @(200, 502, 200, 200, 502)
    }
    It 'nftables dropped the backend FINs' {
        Assert-E2ERunnable
        $NftCounters | Should -Match 'counter packets [1-9]\d* bytes \d+ drop'
    }
    It 'nginx logged 104 on each reused connection: three, two of them POST' {
        Assert-E2ERunnable
        $hits = Find-E2ELine $Run 'error.log' 'recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream'
        $hits.Count | Should -Be 3
        @($hits | Where-Object Line -match 'request: "POST ').Count | Should -Be 2
        @($hits | Where-Object Line -match 'request: "GET /ok\?step=4 ').Count | Should -Be 1
    }
    It 'the access log shows the GET retry (502, 200) and the POST failures' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'access.log' '"GET /ok\?step=4 HTTP/1\.1" 200 .* us="502, 200"').Count | Should -Be 1
        (Find-E2ELine $Run 'access.log' '"POST /ok\?step=[25] HTTP/1\.1" 502 ').Count | Should -Be 2
    }
    It 'no backend died: gunicorn logged no timeout, kill or exit' {
        Assert-E2ERunnable
        (Find-E2ELine $Run 'gunicorn.log' 'WORKER TIMEOUT|terminated due to signal|Worker exiting').Count | Should -Be 0
        (Find-E2ELine $Run 'dmesg.txt' 'Killed process').Count | Should -Be 0
    }
    It 'Test-NginxKeepaliveConfig reports KA-IDLE on upstream app_ka' {
        Assert-E2ERunnable
        Assert-E2EKeepaliveFinding $Run.Artifacts 'app_ka' ([TimeSpan]::FromSeconds(1))
    }
    It 'the module reads the evidence: three resets toward the upstream, and no backend death' {
        Assert-E2ERunnable
        $errors = Invoke-E2EReader $Run.Artifacts 'Get-NginxUpstreamError' 'error.log'
        @($errors | ForEach-Object { "$($_.Kind)" }) | Should -Be @('Reset', 'Reset', 'Reset')
        @($errors | ForEach-Object Method) | Should -Be @('POST', 'GET', 'POST')
        $deaths = Invoke-E2EReader $Run.Artifacts 'Get-BackendEvent' 'gunicorn.log' | Where-Object { "$($_.Kind)" -in 'WorkerTimeout', 'WorkerKilled', 'WorkerExited' }
        $deaths.Count | Should -Be 0
    }
    It 'Find-ResetCause names StaleKeepalive, cites the 104 lines and KA-IDLE on app_ka' {
        Assert-E2ERunnable
        Assert-E2EDiagnosis $Run.Artifacts
    }
}
