# Find-ResetCause from a user's seat: real incident bundles recorded by the E2E suite, the
# pipeline from the readers, offline -Evidence, Unknown, errors and the default view.
BeforeDiscovery {
    . "$PSScriptRoot/Common.ps1"
    $script:IncidentRoot = Join-Path $RepoRoot 'tests/fixtures/incidents'
    $script:Incidents = @(if (Test-Path $IncidentRoot) {
            Get-ChildItem $IncidentRoot -Directory | ForEach-Object {
                $readme = Get-Content -Raw (Join-Path $_.FullName 'README.md')
                $keys = [regex]::Matches($readme, '(?m)^\| ([\w.-]+:\d+) \|') | ForEach-Object { $_.Groups[1].Value } |
                    Where-Object { $_ -match '^(error\.log|gunicorn\.log|php-fpm\.log|dmesg[\w-]*\.txt|nginx\.conf):' }
                @{ Name = $_.Name; Folder = $_.FullName; Expected = [regex]::Match($readme, 'Expected cause: \*\*(\w+)\*\*').Groups[1].Value; Keys = @($keys) }
            }
        })
}

BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Cmd = 'NginxUpstream.Commands.FindResetCauseCommand'
    function script:Write-Lines([string] $Path, [string[]] $Lines) { Set-Content -Path $Path -Value $Lines }
    $script:ErrorLog = Join-Path $TestDrive 'error.log'
    Write-Lines $ErrorLog @(
        '2026/11/27 10:00:01 [error] 4242#4242: *7 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: "GET /report HTTP/1.1", upstream: "http://127.0.0.1:8000/report", host: "shop"'
        '2026/11/27 10:00:02 [error] 4242#4242: *9 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: "POST /orders HTTP/1.1", upstream: "http://127.0.0.1:8000/orders", host: "shop"'
    )
    $script:KernelLog = Join-Path $TestDrive 'kern.iso'
    Write-Lines $KernelLog @(
        '2026-11-27T10:00:01,100000+00:00 gunicorn invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'
        '2026-11-27T10:00:01,100100+00:00 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/shop.service,task_memcg=/system.slice/shop.service,task=gunicorn,pid=5151,uid=33'
        '2026-11-27T10:00:01,100200+00:00 Memory cgroup out of memory: Killed process 5151 (gunicorn) total-vm:150332kB, anon-rss:126708kB, file-rss:5524kB, shmem-rss:0kB, UID:33 pgtables:308kB oom_score_adj:0'
    )
}

Describe 'Find-ResetCause on real incident <Name>' -ForEach $Incidents -AllowNullOrEmptyForEach {
    BeforeAll {
        $script:Result = @(Find-ResetCause -IncidentPath $Folder -TimeZone UTC -WarningAction SilentlyContinue)
    }
    It 'names the cause the reproduction produced' {
        $Result.Count | Should -Be 1
        $Result[0].Cause | Should -Be $Expected
        $Result[0].ConfidenceLevel | Should -Be 'High'
    }
    It 'cites the key evidence of each source the recording names' {
        # Every error.log key line, and for each other source at least one of its key lines
        # (the config only where it is the cause); dmesg and dmesg --time-format iso share line numbers.
        $norm = { param($c) (Split-Path -Leaf $c) -replace '^dmesg-iso\.txt', 'dmesg.txt' }
        $cited = @(@($Result[0].Evidence.Citation) + @($Result[0].ErrorSamples) | ForEach-Object { & $norm $_ })
        $keys = @($Keys | ForEach-Object { & $norm $_ })
        foreach ($k in $keys | Where-Object { $_ -like 'error.log:*' }) { $cited | Should -Contain $k -Because "$Name README lists $k as key evidence" }
        foreach ($file in $keys | ForEach-Object { ($_ -split ':')[0] } | Where-Object { $_ -ne 'error.log' } | Sort-Object -Unique) {
            if ($file -eq 'nginx.conf' -and $Expected -ne 'StaleKeepalive') { continue }
            @($keys | Where-Object { $_ -like "$($file):*" } | Where-Object { $cited -contains $_ }).Count | Should -BeGreaterThan 0 -Because "$Name cites none of the key lines of $file"
        }
    }
}

Describe 'Find-ResetCause' {
    It 'diagnoses errors piped from Get-NginxUpstreamError with kernel evidence given offline' {
        $oom = Get-OomKill -LiteralPath $KernelLog -TimeZone UTC
        $d = Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence $oom
        $d.Cause | Should -Be 'BackendOomKilled'
        $d.ErrorCount | Should -Be 2
        $d.Kinds | Should -Contain 'Reset'
        $d.Kinds | Should -Contain 'PrematureClose'
        $d.Hypotheses[0].Id | Should -Be 'RC-OOM'
        $d.Evidence.Citation | Should -Contain "$($KernelLog):3"
        $d.Recommendation.Changes | Should -Contain 'systemctl set-property shop.service MemoryMax=2G'
        ($d.AffectedRequests | Where-Object Method -eq 'POST').Status | Should -Be '502'
    }
    It 'stays Unknown with a next step when the errors are all it has' {
        $d = Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence @()
        $d.Cause | Should -Be 'Unknown'
        $d.ConfidenceLevel | Should -Be 'None'
        $d.NextStep | Should -Match 'Get-OomKill'
    }
    It 'splits incidents on -BurstGap' {
        @(Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence @() -BurstGap '00:00:00.5').Count | Should -Be 2
    }
    It 'matches the backend by -Unit when the process name says nothing' {
        $oom = Get-OomKill -LiteralPath $KernelLog -TimeZone UTC
        $d = Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence $oom -Unit 'shop.service'
        $d.Hypotheses[0].Reason | Should -Match '-Unit'
    }
    It 'reports evidence it cannot use and still diagnoses' {
        $d = Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence 'text' -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "UnsupportedEvidence,$Cmd"
        $d | Should -Not -BeNullOrEmpty
    }
    It 'fails on an -IncidentPath that is not a folder' {
        { Find-ResetCause -IncidentPath (Join-Path $TestDrive 'nope') } | Should -Throw -ErrorId "IncidentPathNotFound,$Cmd"
    }
    It 'reads a bundle recognised by content, whatever the file names' {
        $b = Join-Path $TestDrive 'bundle'
        New-Item -ItemType Directory $b | Out-Null
        Copy-Item $ErrorLog (Join-Path $b 'a.txt')
        Copy-Item $KernelLog (Join-Path $b 'b.txt')
        $d = Find-ResetCause -IncidentPath $b -TimeZone UTC -WarningAction SilentlyContinue
        $d.Cause | Should -Be 'BackendOomKilled'
        $d.SourcesConsidered | Should -Contain 'backend log: not read'
    }
    It 'renders the default table view' {
        $text = Get-NginxUpstreamError -LiteralPath $ErrorLog -TimeZone UTC | Find-ResetCause -Evidence @() | Out-String -Width 160
        $text | Should -Match 'Upstream\s+Errors\s+Cause'
        $text | Should -Match '127\.0\.0\.1:8000\s+2\s+Unknown'
    }
    It 'declares its output type' {
        (Get-Command Find-ResetCause).OutputType.Type | Should -Contain ([NginxUpstream.Model.ResetDiagnosis])
    }
}
