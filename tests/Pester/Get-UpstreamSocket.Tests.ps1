BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    # A backend of our own on 127.0.0.1 (random free port) and IPv4 clients connected to it.
    function New-Backend([int] $Clients = 1) {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        $pairs = foreach ($i in 1..$Clients) {
            $c = [System.Net.Sockets.TcpClient]::new([System.Net.Sockets.AddressFamily]::InterNetwork)
            $c.Connect([System.Net.IPAddress]::Loopback, $l.LocalEndpoint.Port)
            [pscustomobject]@{ Client = $c; Server = $l.AcceptTcpClient() }
        }
        [pscustomobject]@{ Listener = $l; Port = $l.LocalEndpoint.Port; Pairs = @($pairs) }
    }
    function Remove-Backend($b) {
        foreach ($p in $b.Pairs) { $p.Client.Dispose(); $p.Server.Dispose() }
        $b.Listener.Stop()
    }
}

Describe 'Get-UpstreamSocket on real loopback sockets' {
    BeforeAll { $script:b = New-Backend -Clients 1 }
    AfterAll { Remove-Backend $b }

    It 'shows the listener owned by this process and both ends of the established connection' {
        $s = Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)"
        $s.Count | Should -Be 3
        $listen = $s | Where-Object State -eq 'Listen'
        $listen.IsListening | Should -BeTrue
        $listen.Role | Should -Be 'Listener'
        $listen.LocalEndPoint | Should -Be "127.0.0.1:$($b.Port)"
        $listen.ProcessId | Should -Be $PID
        $listen.ProcessName | Should -Be (Get-Content "/proc/$PID/comm")
        $listen.Family | Should -Be 'IPv4'
        $listen.Inode | Should -BeGreaterThan 0
        $out = $s | Where-Object Role -eq 'Outbound'
        $in = $s | Where-Object Role -eq 'Inbound'
        $out.State | Should -Be 'Established'
        $in.State | Should -Be 'Established'
        $out.RemoteEndPoint | Should -Be "127.0.0.1:$($b.Port)"
        $out.LocalPort | Should -Be $b.Pairs[0].Client.Client.LocalEndPoint.Port
        $in.RemotePort | Should -Be $out.LocalPort
        $out.ProcessId | Should -Be $PID
        $s.Upstream | Select-Object -Unique | Should -Be "127.0.0.1:$($b.Port)"
        $listen.Source | Should -Be '/proc/net/tcp'
        $listen.Line | Should -Match ('^\s*\d+: 0100007F:{0:X4} 00000000:0000 0A ' -f $b.Port)
    }

    It 'knows localhost, a bare port and -Listening, without DNS' {
        (Get-UpstreamSocket -Upstream "localhost:$($b.Port)").Count | Should -Be 3
        (Get-UpstreamSocket -Upstream "$($b.Port)").Count | Should -Be 3
        $l = Get-UpstreamSocket -Port $b.Port -Listening
        $l.State | Should -Be 'Listen'
        @($l).Count | Should -Be 1
        Get-UpstreamSocket -Upstream "[::1]:$($b.Port)" | Should -BeNullOrEmpty
    }

    It 'binds UpstreamAddress from the pipeline and reads each upstream once' {
        $in = 1..3 | ForEach-Object { [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$($b.Port)" } }
        $s = $in | Get-UpstreamSocket
        $s.Count | Should -Be 3
        ($s | Where-Object Role -eq 'Listener').ProcessId | Should -Be $PID
    }

    It 'follows Get-NginxUpstreamError records to the failing upstream' {
        $line = '2026/11/27 06:40:00 [error] 4242#4242: *{0} recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: "GET /{0} HTTP/1.1", upstream: "http://127.0.0.1:{1}/{0}", host: "localhost"'
        $errors = 1..2 | ForEach-Object { $line -f $_, $b.Port } | Get-NginxUpstreamError
        $errors.Count | Should -Be 2
        $v = $errors | Get-UpstreamSocket -Verbose 4>&1
        $s = $v | Where-Object { $_ -is [NginxUpstream.Model.UpstreamSocket] }
        $s.Count | Should -Be 3
        ($s | Where-Object Role -eq 'Outbound').RemotePort | Should -Be $b.Port
        $s.Upstream | Select-Object -Unique | Should -Be "127.0.0.1:$($b.Port)"
        ($v | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Upstreams: 127.0.0.1:$($b.Port)."
    }

    It 'warns when nothing listens on a loopback upstream (the 111 case)' {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start()
        $free = $l.LocalEndpoint.Port; $l.Stop()
        Get-UpstreamSocket -Upstream "127.0.0.1:$free" -State Listen -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Be "Nothing listens on 127.0.0.1:$free on this host: connections to it are refused (111)."
        Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -WarningVariable w2 | Out-Null
        $w2.Count | Should -Be 0
    }

    It 'reports a unix socket upstream as a non-terminating error and lists nothing for it' {
        $s = [pscustomobject]@{ UpstreamAddress = 'unix:/run/gunicorn.sock' }, [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$($b.Port)" } |
            Get-UpstreamSocket -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'UnixSocketUpstream,NginxUpstream.Commands.GetUpstreamSocketCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $s.Count | Should -Be 3
        Get-UpstreamSocket -Upstream 'unix:/run/x.sock' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'does not resolve host names and rejects what is not an address, without stopping the other upstreams' {
        $s = 'backend.internal:8000', '127.0.0.1:99999', "127.0.0.1:$($b.Port)" |
            Get-UpstreamSocket -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable err -ErrorAction SilentlyContinue
        $s.Count | Should -Be 3
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Match "^'backend\.internal:8000' is not a literal IP address"
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidUpstream,NginxUpstream.Commands.GetUpstreamSocketCommand'
        $err[0].TargetObject | Should -Be '127.0.0.1:99999'
    }

    It 'says with -Verbose what it read' {
        $v = Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($v.Message -match '^/proc/net/tcp: \d+ lines read, \d+ sockets parsed, 0 lines skipped\.$').Count | Should -Be 1
        ($v.Message -match 'processes scanned, \d+ unreadable').Count | Should -Be 1
        ($v.Message -match '^3 sockets selected\.$').Count | Should -Be 1
    }

    It 'renders the default table view' {
        $text = Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" | Out-String -Width 140
        $text | Should -Match 'State\s+Role\s+Recv-Q\s+Send-Q\s+Local\s+Remote\s+PID\s+Process'
        $text | Should -Match "Listen\s+Listener\s+0\s+0\s+127\.0\.0\.1:$($b.Port)\s+0\.0\.0\.0:0\s+$PID"
    }
}

Describe 'Get-UpstreamSocket -Summary' {
    BeforeAll { $script:b = New-Backend -Clients 3 }
    AfterAll { Remove-Backend $b }

    It 'counts the sockets per endpoint, role and state like ss | uniq -c' {
        $rows = Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -Summary
        $rows.Count | Should -Be 3
        $rows | ForEach-Object { $_.EndPoint | Should -Be "127.0.0.1:$($b.Port)" }
        ($rows | Where-Object Role -eq 'Outbound').Count | Should -Be 3
        ($rows | Where-Object Role -eq 'Outbound').State | Should -Be 'Established'
        ($rows | Where-Object Role -eq 'Inbound').Count | Should -Be 3
        ($rows | Where-Object Role -eq 'Listener').Count | Should -Be 1
        ($rows | Where-Object Role -eq 'Listener').Processes | Should -Be @("$(Get-Content "/proc/$PID/comm")($PID)")
        $rows[0].GetType().FullName | Should -Be 'NginxUpstream.Model.UpstreamSocketSummary'
        ($rows | Out-String -Width 140) | Should -Match "\s3\s+Established\s+Outbound\s+127\.0\.0\.1:$($b.Port)"
    }

    It 'shows the client that closed first in TIME_WAIT with no owner' {
        $p = $b.Pairs[0]
        $port = $p.Client.Client.LocalEndPoint.Port
        $p.Client.Client.Shutdown('Send'); Start-Sleep -Milliseconds 100
        $p.Client.Dispose(); $p.Server.Dispose(); Start-Sleep -Milliseconds 200
        $tw = Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -State TimeWait
        $tw.LocalPort | Should -Be $port
        $tw.Inode | Should -Be 0
        $tw.ProcessId | Should -BeNullOrEmpty
        (Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -Summary | Where-Object State -eq 'TimeWait').Count | Should -Be 1
        # The names operators type from ss and the kernel are taken too.
        (Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -State TIME-WAIT).LocalPort | Should -Be $port
        (Get-UpstreamSocket -Upstream "127.0.0.1:$($b.Port)" -State time_wait, ESTAB).Count | Should -Be 5
        { Get-UpstreamSocket -State WAITING } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,NginxUpstream.Commands.GetUpstreamSocketCommand'

    }
}

Describe 'Get-UpstreamSocket -ProcRoot' {
    It 'reads a captured proc tree and fails cleanly on a missing one' {
        $fx = Join-Path $RepoRoot 'tests/fixtures/proc-net-tcp/loopback'
        $root = Join-Path ([System.IO.Path]::GetTempPath()) "nu-pester-proc-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path "$root/net" | Out-Null
        try {
            Copy-Item "$fx/tcp", "$fx/tcp6" "$root/net"
            $cap = Get-Content -Raw "$fx/capture.json" | ConvertFrom-Json
            $port = ($cap.sockets | Where-Object name -eq 'listen6').local.port
            $s = Get-UpstreamSocket -ProcRoot $root -Upstream "[::1]:$port"
            $s.Count | Should -Be 3
            ($s | Where-Object State -eq 'Listen').LocalEndPoint | Should -Be "[::1]:$port"
            $s.Family | Select-Object -Unique | Should -Be 'IPv6'
        }
        finally { Remove-Item -Recurse -Force $root }
        $none = Get-UpstreamSocket -ProcRoot '/nonexistent-proc' -ErrorVariable err -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ProcNetTcpUnreadable,NginxUpstream.Commands.GetUpstreamSocketCommand'
    }
}
