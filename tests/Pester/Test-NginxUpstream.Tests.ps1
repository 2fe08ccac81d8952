BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    function Get-FreePort {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); $p
    }
    # A real gunicorn on 127.0.0.1 serving a minimal WSGI app; $null when gunicorn is not installed.
    function Start-Gunicorn([string[]] $WorkerArgs) {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) "nu-gunicorn-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -Path (Join-Path $dir 'app.py') -Value @'
def app(environ, start_response):
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'@
        $port = Get-FreePort
        # Logs to a file (not redirected pipes: Start-Process redirection races at exit).
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Gunicorn)
        foreach ($a in @('--chdir', $dir, '-b', "127.0.0.1:$port", '-w', '1', '--error-logfile', (Join-Path $dir 'gunicorn.log')) + $WorkerArgs + @('app:app')) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $proc = [System.Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $c.Connect('127.0.0.1', $port); break } catch { Start-Sleep -Milliseconds 100 } finally { $c.Dispose() }
        }
        [pscustomobject]@{ Process = $proc; Port = $port; Dir = $dir }
    }
    function Stop-Gunicorn($g) {
        if (-not $g) { return }
        # SIGTERM: gunicorn's master stops its workers (Stop-Process would SIGKILL and orphan them).
        & /bin/kill -TERM $g.Process.Id 2>$null
        if (-not $g.Process.WaitForExit(5000)) { $g.Process.Kill($true) }
        Remove-Item -Recurse -Force $g.Dir -ErrorAction SilentlyContinue
    }
    $script:Gunicorn = (Get-Command gunicorn -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
}

Describe 'Test-NginxUpstream against a real gunicorn' {
    BeforeAll {
        $script:noGunicorn = -not (Get-Command gunicorn -CommandType Application -ErrorAction SilentlyContinue)
    }

    Context 'gthread worker, --keep-alive 2' {
        BeforeAll { if (-not $noGunicorn) { $script:g = Start-Gunicorn @('-k', 'gthread', '--threads', '2', '--keep-alive', '2') } }
        AfterAll { Stop-Gunicorn $g }

        It 'measures the idle timeout gunicorn really applies (about 2 s, FIN)' {
            if ($noGunicorn) { Set-ItResult -Skipped -Because 'gunicorn is not installed (apt-get install gunicorn)'; return }
            $p = Test-NginxUpstream -Upstream "127.0.0.1:$($g.Port)" -IdleProbe -MaxIdle 00:00:10
            $p | Should -BeOfType NginxUpstream.Model.UpstreamProbe
            $p.Connected | Should -BeTrue
            $p.Status | Should -Be 200
            $p.Server | Should -Be 'gunicorn'
            $p.KeepAliveOffered | Should -BeTrue
            $p.ClosedAfterResponse | Should -BeFalse
            $p.IdleClose | Should -Be 'Fin'
            $p.ServerIdleTimeout.TotalSeconds | Should -BeGreaterThan 1.5
            $p.ServerIdleTimeout.TotalSeconds | Should -BeLessThan 4
        }

        It 'measures what Test-NginxKeepaliveConfig needs: KA-IDLE on an upstream that caches connections longer' {
            if ($noGunicorn) { Set-ItResult -Skipped -Because 'gunicorn is not installed (apt-get install gunicorn)'; return }
            $p = Test-NginxUpstream -Upstream "127.0.0.1:$($g.Port)" -IdleProbe -MaxIdle 00:00:10
            $conf = Join-Path $g.Dir 'nginx.conf'
            $server = "server { listen 8080; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection `"`"; } }"
            Set-Content $conf "events {}`nhttp {`nupstream app { server 127.0.0.1:$($g.Port); keepalive 16; }`n$server`n}"
            $f = @(Test-NginxKeepaliveConfig -Path $conf -BackendKeepAliveTimeout $p.ServerIdleTimeout | Where-Object RuleId -eq 'KA-IDLE')
            $f.Count | Should -Be 1
            $f[0].Upstream | Should -Be 'app'
            # nginx's default 60s against the measured 2-3 s: a whole-second keepalive_timeout below it.
            $f[0].Fix | Should -Match '^upstream app \{ keepalive_timeout [12]s; \}'
            Set-Content $conf "events {}`nhttp {`nupstream app { server 127.0.0.1:$($g.Port); keepalive 16; keepalive_timeout 500ms; }`n$server`n}"
            @(Test-NginxKeepaliveConfig -Path $conf -BackendKeepAliveTimeout $p.ServerIdleTimeout | Where-Object RuleId -eq 'KA-IDLE').Count | Should -Be 0
        }

        It 'takes the path of an http:// URL, or -Path' {
            if ($noGunicorn) { Set-ItResult -Skipped -Because 'gunicorn is not installed (apt-get install gunicorn)'; return }
            $p = Test-NginxUpstream "http://127.0.0.1:$($g.Port)/health?x=1"
            $p.Path | Should -Be '/health?x=1'
            $p.Status | Should -Be 200
            (Test-NginxUpstream "http://127.0.0.1:$($g.Port)/health" -Path /other).Path | Should -Be '/other'
        }

        It 'probes upstreams from the pipeline at / (never a logged request URI), unless -Path is given' {
            if ($noGunicorn) { Set-ItResult -Skipped -Because 'gunicorn is not installed (apt-get install gunicorn)'; return }
            $logged = [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$($g.Port)"; Upstream = "http://127.0.0.1:$($g.Port)/api/orders?token=secret" }
            ($logged | Test-NginxUpstream).Path | Should -Be '/'
            ($logged | Test-NginxUpstream -Path /health).Path | Should -Be '/health'
        }
    }

    Context 'sync worker (the default): no keepalive at all' {
        BeforeAll { if (-not $noGunicorn) { $script:g = Start-Gunicorn @('--keep-alive', '2') } }
        AfterAll { Stop-Gunicorn $g }

        It 'answers Connection: close and closes right after the response' {
            if ($noGunicorn) { Set-ItResult -Skipped -Because 'gunicorn is not installed (apt-get install gunicorn)'; return }
            $p = Test-NginxUpstream "127.0.0.1:$($g.Port)" -IdleProbe -MaxIdle 00:00:05
            $p.Status | Should -Be 200
            $p.ConnectionHeader | Should -Be 'close'
            $p.KeepAliveOffered | Should -BeFalse
            $p.ClosedAfterResponse | Should -BeTrue
            $p.ServerIdleTimeout.TotalSeconds | Should -BeLessThan 1
        }
    }
}

Describe 'Test-NginxUpstream toward what does not answer' {
    It 'reports a refused connect as the result, not as an error' {
        $port = Get-FreePort
        $p = Test-NginxUpstream "127.0.0.1:$port" -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $p.Connected | Should -BeFalse
        $p.ErrnoName | Should -Be 'ECONNREFUSED'
        $p.Errno | Should -Be 111
        $p.Status | Should -BeNullOrEmpty
    }

    It 'probes each upstream of piped objects once (UpstreamAddress)' {
        $a = Get-FreePort; $b = Get-FreePort
        $in = @(
            [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$a" }
            [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$a" }
            [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$b" }
            [pscustomobject]@{ UpstreamAddress = "127.0.0.1:$a" }
        )
        $p = $in | Test-NginxUpstream
        $p.Count | Should -Be 2
        $p.Port | Should -Be @($a, $b)
    }

    It 'probes the failing upstreams of an nginx error log once each' {
        $port = Get-FreePort
        $lines = foreach ($uri in '/a?id=1', '/b', '/c') {
            "2026/11/27 00:17:03 [error] 19180#19180: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.45, server: www.example.com, request: `"GET $uri HTTP/1.1`", upstream: `"http://127.0.0.1:$port$uri`", host: `"www.example.com`""
        }
        $p = $lines | Get-NginxUpstreamError | Test-NginxUpstream
        @($p).Count | Should -Be 1
        $p.ErrnoName | Should -Be 'ECONNREFUSED'
        $p.Port | Should -Be $port
    }

    It 'writes InvalidUpstream and HttpsNotSupported errors and still probes the others' {
        $port = Get-FreePort
        $p = Test-NginxUpstream 'not an address', 'https://127.0.0.1:8443/', "127.0.0.1:$port", '127.0.0.1:99999' -ErrorVariable err -ErrorAction SilentlyContinue
        @($p).Count | Should -Be 1
        $p.ErrnoName | Should -Be 'ECONNREFUSED'
        $err.Count | Should -Be 3
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidUpstream,NginxUpstream.Commands.TestNginxUpstreamCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[1].FullyQualifiedErrorId | Should -Be 'HttpsNotSupported,NginxUpstream.Commands.TestNginxUpstreamCommand'
        $err[1].Exception.Message | Should -Match 'https'
        $err[2].FullyQualifiedErrorId | Should -Be 'InvalidUpstream,NginxUpstream.Commands.TestNginxUpstreamCommand'
    }

    It 'says in -Verbose what is sent where' {
        $port = Get-FreePort
        $v = Test-NginxUpstream "127.0.0.1:$port" -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($v.Message -join "`n") | Should -Match "connecting to 127\.0\.0\.1:$port \(timeout 5 s\)"
        ($v.Message -join "`n") | Should -Match 'ECONNREFUSED'
    }

    It 'declares its output type and shows a table by default' {
        (Get-Command Test-NginxUpstream).OutputType.Name | Should -Contain 'NginxUpstream.Model.UpstreamProbe'
        $t = Test-NginxUpstream "127.0.0.1:$(Get-FreePort)" | Out-String -Width 200
        $t | Should -Match 'Connected'
        $t | Should -Match 'ECONNREFUSED'
    }
}
