#Requires -Version 7.4
# Get-BackendEvent against real backends: gunicorn 20.1 and php-fpm 8.2 (Debian packages) started
# from a temp prefix with their own configs on unix sockets; a WORKER TIMEOUT (interruptible and
# stuck in C, which escalates to SIGKILL), an operator's SIGKILL of an idle worker, and a php-fpm
# request_terminate_timeout are provoked, then read back from the real logs. Needs root (apt-get,
# php-fpm's pool user); otherwise every test is skipped with the reason. Nothing under /etc or
# systemd is touched; everything started is stopped by pid in AfterAll.

Describe 'Get-BackendEvent on real gunicorn 20.1 and php-fpm 8.2' -Tag E2E {
    BeforeAll {
        . "$PSScriptRoot/../Pester/Common.ps1"
        Import-Module $ModulePath -Force -ErrorAction Stop

        $script:SkipReason = $null
        $script:Started = [System.Collections.Generic.List[int]]::new()
        $script:Tmp = $null

        function Wait-Until([scriptblock] $Condition, [double] $Seconds) {
            $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
            while ([DateTime]::UtcNow -lt $deadline) { if (& $Condition) { return $true }; Start-Sleep -Milliseconds 200 }
            return [bool](& $Condition)
        }

        # Minimal FastCGI client (the responder role) over a unix socket: no nginx or cgi-fcgi needed.
        function Invoke-FastCgiRequest([string] $Socket, [System.Collections.Specialized.OrderedDictionary] $Params, [int] $TimeoutMs) {
            function Get-Record([byte] $Type, [byte[]] $Content) {
                $len = $Content.Length
                [byte[]] $h = 1, $Type, 0, 1, [byte](($len -shr 8) -band 0xff), [byte]($len -band 0xff), 0, 0
                return $h + $Content
            }
            $pairs = [System.Collections.Generic.List[byte]]::new()
            foreach ($k in $Params.Keys) {
                $n = [Text.Encoding]::UTF8.GetBytes([string]$k); $v = [Text.Encoding]::UTF8.GetBytes([string]$Params[$k])
                foreach ($l in $n.Length, $v.Length) {
                    if ($l -lt 128) { $pairs.Add([byte]$l) } else { $pairs.AddRange([byte[]](([byte](($l -shr 24) -bor 0x80)), [byte](($l -shr 16) -band 0xff), [byte](($l -shr 8) -band 0xff), [byte]($l -band 0xff))) }
                }
                $pairs.AddRange($n); $pairs.AddRange($v)
            }
            [byte[]] $msg = (Get-Record 1 ([byte[]](0, 1, 0, 0, 0, 0, 0, 0))) + (Get-Record 4 $pairs.ToArray()) + (Get-Record 4 @()) + (Get-Record 5 @())
            $sock = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::Unix, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Unspecified)
            try {
                $sock.Connect([Net.Sockets.UnixDomainSocketEndPoint]::new($Socket))
                [void] $sock.Send($msg)
                $sock.ReceiveTimeout = $TimeoutMs
                $buf = [byte[]]::new(65536); $total = 0
                try { while (($n = $sock.Receive($buf)) -gt 0) { $total += $n } } catch [Net.Sockets.SocketException] { }
                return $total
            }
            finally { $sock.Dispose() }
        }

        if ((& id -u) -ne '0') { $script:SkipReason = 'needs root (apt-get and php-fpm pool user)'; return }
        $need = @()
        if (-not (Test-Path /usr/bin/gunicorn)) { $need += 'gunicorn' }
        if (-not (Test-Path /usr/sbin/php-fpm8.2)) { $need += 'php8.2-fpm' }
        if (-not (Get-Command curl -ErrorAction SilentlyContinue)) { $need += 'curl' }
        if ($need) {
            $env:DEBIAN_FRONTEND = 'noninteractive'
            & apt-get update -q *> $null
            & apt-get install -y -q -o DPkg::Lock::Timeout=600 gunicorn php8.2-fpm curl *> $null
            if ($LASTEXITCODE -ne 0 -or -not (Test-Path /usr/bin/gunicorn) -or -not (Test-Path /usr/sbin/php-fpm8.2)) {
                $script:SkipReason = "could not install $($need -join ', ') with apt-get (exit $LASTEXITCODE)"; return
            }
        }
        $gv = (& /usr/bin/gunicorn --version 2>&1) -join ' '
        if ($gv -notmatch '20\.1\.') { $script:SkipReason = "the installed gunicorn is not 20.1 ($gv)"; return }

        $script:Tmp = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "nu-be-e2e-$PID-$([guid]::NewGuid().ToString('n').Substring(0,6))")).FullName
        & chmod 0777 $Tmp   # the php-fpm children run as nobody and write their pid here

        # --- gunicorn 20.1, 2 sync workers, 2 s timeout, on a unix socket -----------------------------
        Set-Content (Join-Path $Tmp 'app.py') @'
import os, time
D = os.path.dirname(os.path.abspath(__file__))
def app(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    with open(os.path.join(D, (path.strip('/') or 'root') + '.pid'), 'w') as f:
        f.write(str(os.getpid()))
    if path == '/sleep':
        time.sleep(60)            # interruptible: SIGABRT's handler runs, the worker exits
    elif path == '/spin':
        sum(range(10**13))        # stuck in C: SIGABRT cannot run, SIGKILL ~1 s later
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [str(os.getpid()).encode()]
'@
        $script:GLog = Join-Path $Tmp 'gunicorn-error.log'
        $gsock = Join-Path $Tmp 'gunicorn.sock'
        $gProc = Start-Process -FilePath /usr/bin/gunicorn -PassThru -RedirectStandardOutput (Join-Path $Tmp 'g.out') -RedirectStandardError (Join-Path $Tmp 'g.err') -ArgumentList @(
            '--chdir', $Tmp, '--workers', '2', '--timeout', '2', '--bind', "unix:$gsock", '--error-logfile', $GLog, '--log-level', 'info', 'app:app')
        $script:GMaster = $gProc.Id; $Started.Add($gProc.Id)

        # --- php-fpm 8.2, own prefix and config, static pool of 2, request_terminate_timeout 2 s --------
        $script:PLog = Join-Path $Tmp 'php-fpm.log'
        $psock = Join-Path $Tmp 'php-fpm.sock'
        Set-Content (Join-Path $Tmp 'php-fpm.conf') @"
[global]
pid = $Tmp/php-fpm.pid
error_log = $PLog
log_level = notice
daemonize = no
[www]
user = nobody
group = nogroup
listen = $psock
pm = static
pm.max_children = 2
request_terminate_timeout = 2s
"@
        Set-Content (Join-Path $Tmp 'sleep.php') '<?php file_put_contents(__DIR__ . "/php-sleep.pid", getmypid()); sleep(60); echo "never";'
        $pProc = Start-Process -FilePath /usr/sbin/php-fpm8.2 -PassThru -RedirectStandardOutput (Join-Path $Tmp 'p.out') -RedirectStandardError (Join-Path $Tmp 'p.err') -ArgumentList @(
            '--nodaemonize', '--prefix', $Tmp, '--fpm-config', (Join-Path $Tmp 'php-fpm.conf'))
        $script:PMaster = $pProc.Id; $Started.Add($pProc.Id)

        if (-not (Wait-Until { (Test-Path $gsock) -and (Test-Path $GLog) -and ((Get-Content $GLog) -match 'Booting worker').Count -ge 2 } 20)) {
            $script:SkipReason = "gunicorn did not start: $((Get-Content (Join-Path $Tmp 'g.err') -Raw))"; return
        }
        if (-not (Wait-Until { Test-Path $psock } 20)) {
            $script:SkipReason = "php-fpm did not start: $((Get-Content (Join-Path $Tmp 'p.err') -Raw)) $((Get-Content $PLog -Raw -ErrorAction SilentlyContinue))"; return
        }

        # 1. WORKER TIMEOUT of a worker in time.sleep: it exits on SIGABRT.
        & curl -s -m 15 --unix-socket $gsock http://backend/sleep *> $null
        $script:SleepWorker = [int](Get-Content (Join-Path $Tmp 'sleep.pid'))
        # 2. WORKER TIMEOUT of a worker stuck in C: the master escalates to SIGKILL.
        & curl -s -m 15 --unix-socket $gsock http://backend/spin *> $null
        $script:SpinWorker = [int](Get-Content (Join-Path $Tmp 'spin.pid'))
        [void](Wait-Until { (Get-Content $GLog -Raw) -match "pid $SpinWorker was terminated" } 10)
        # 3. An operator's (or the OOM killer's) SIGKILL of an idle worker.
        $script:IdleWorker = [int](& curl -s -m 10 --unix-socket $gsock http://backend/)
        & kill -KILL $IdleWorker
        [void](Wait-Until { (Get-Content $GLog -Raw) -match "pid $IdleWorker was terminated" } 10)
        # 4. php-fpm request_terminate_timeout: SIGTERM to the child.
        $params = [ordered]@{
            SCRIPT_FILENAME = (Join-Path $Tmp 'sleep.php'); SCRIPT_NAME = '/sleep.php'; REQUEST_METHOD = 'GET'; REQUEST_URI = '/sleep.php'
            QUERY_STRING = ''; SERVER_PROTOCOL = 'HTTP/1.1'; GATEWAY_INTERFACE = 'CGI/1.1'; REMOTE_ADDR = '127.0.0.1'; SERVER_NAME = 'localhost'; SERVER_PORT = '80'
        }
        [void](Invoke-FastCgiRequest $psock $params 15000)
        $script:PhpChild = [int](Get-Content (Join-Path $Tmp 'php-sleep.pid'))
        [void](Wait-Until { (Get-Content $PLog -Raw) -match "child $PhpChild exited on signal" -and (Get-Content $PLog -Raw) -match 'started' } 10)

        $script:G = @(Get-BackendEvent -Path $GLog)
        $script:P = @(Get-BackendEvent -Path $PLog)
    }

    AfterAll {
        # Stop by pid: masters first (they stop their workers), then any worker left behind.
        $workers = @()
        if ($script:G) { $workers += $G.ProcessId }
        if ($script:P) { $workers += $P.ProcessId }
        foreach ($m in $script:Started) { & kill -TERM $m 2>$null }
        foreach ($m in $script:Started) {
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Test-Path "/proc/$m") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            if (Test-Path "/proc/$m") { & kill -KILL $m 2>$null }
        }
        foreach ($w in ($workers | Where-Object { $_ } | Sort-Object -Unique)) {
            $cmd = Get-Content "/proc/$w/cmdline" -Raw -ErrorAction SilentlyContinue
            if ($cmd -and ($cmd -match 'gunicorn|php-fpm')) { & kill -KILL $w 2>$null }
        }
        if ($script:Tmp -and (Test-Path $script:Tmp)) { Remove-Item -Recurse -Force $script:Tmp -ErrorAction SilentlyContinue }
    }

    Context 'gunicorn 20.1' {
        It 'detects the format and reads the master from the startup lines' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $G.Backend | Sort-Object -Unique | Should -Be 'Gunicorn'
            $start = $G | Where-Object Kind -EQ 'ListenerStarted' | Select-Object -First 1
            $start.ProcessId | Should -Be $GMaster
            $start.BackendVersion | Should -Match '^20\.1\.'
            ($G | Where-Object Kind -EQ 'WorkerBooted' | Select-Object -First 1).MasterProcessId | Should -Be $GMaster
        }

        It 'reports the WORKER TIMEOUT of the worker that served /sleep, and its exit as part of it' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $t = @($G | Where-Object { $_.Kind -eq 'WorkerTimeout' -and $_.ProcessId -eq $SleepWorker })
            $t.Count | Should -Be 1
            $t[0].MasterProcessId | Should -Be $GMaster
            $t[0].WriterProcessId | Should -Be $GMaster
            $t[0].Detail | Should -Match '20\.1\.\d+: the worker dies'
            ([DateTimeOffset]::Now - $t[0].Time).TotalMinutes | Should -BeLessThan 10
            # It exits on SIGABRT; on a loaded machine the master may escalate to SIGKILL first. Either way: part of the timeout.
            $ends = @($G | Where-Object { $_.Kind -in 'WorkerExited', 'WorkerKilled', 'WorkerCrashed' -and $_.ProcessId -eq $SleepWorker })
            $ends.Count | Should -BeGreaterOrEqual 1
            $ends.PartOfTimeout | Should -Not -Contain $false
        }

        It 'ties the SIGKILL of a worker stuck in C to its WORKER TIMEOUT (not an OOM kill)' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $t = $G | Where-Object { $_.Kind -eq 'WorkerTimeout' -and $_.ProcessId -eq $SpinWorker }
            $k = @($G | Where-Object { $_.Kind -eq 'WorkerKilled' -and $_.ProcessId -eq $SpinWorker })
            $t | Should -Not -BeNullOrEmpty
            $k.Count | Should -Be 1
            $k[0].Signal | Should -Be 'SIGKILL'
            $k[0].SignalNumber | Should -Be 9
            $k[0].PartOfTimeout | Should -BeTrue
            ($k[0].Time - $t.Time).TotalSeconds | Should -BeLessOrEqual 2
            $k[0].Detail | Should -Match 'not an OOM kill'
        }

        It 'reports the external SIGKILL of an idle worker as a kill with no timeout' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $k = @($G | Where-Object { $_.ProcessId -eq $IdleWorker -and $_.Kind -eq 'WorkerKilled' })
            $k.Count | Should -Be 1
            $k[0].Signal | Should -Be 'SIGKILL'
            $k[0].PartOfTimeout | Should -BeFalse
            $k[0].Detail | Should -Match 'OOM'
            $k[0].MasterProcessId | Should -Be $GMaster
        }

        It 'filters by -Kind and -ProcessId, and reads a gzipped copy the same' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $killed = @(Get-BackendEvent -Path $GLog -Kind WorkerKilled)
            $killed.Kind | Sort-Object -Unique | Should -Be 'WorkerKilled'
            $killed.ProcessId | Should -Contain $SpinWorker
            $killed.ProcessId | Should -Contain $IdleWorker
            @(Get-BackendEvent -Path $GLog -ProcessId $SpinWorker).Kind | Should -Be @('WorkerBooted', 'WorkerTimeout', 'WorkerKilled')
            $gz = Join-Path $Tmp 'gunicorn-error.log.1.gz'
            $in = [IO.File]::OpenRead($GLog); $out = [IO.Compression.GZipStream]::new([IO.File]::Create($gz), [IO.Compression.CompressionLevel]::Fastest)
            try { $in.CopyTo($out) } finally { $out.Dispose(); $in.Dispose() }
            (Get-BackendEvent -LiteralPath $gz | ForEach-Object { "$($_.Kind)/$($_.ProcessId)" }) -join ',' |
                Should -Be (($G | ForEach-Object { "$($_.Kind)/$($_.ProcessId)" }) -join ',')
        }
    }

    Context 'php-fpm 8.2' {
        It 'detects the format and reads the master pid' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $P.Backend | Sort-Object -Unique | Should -Be 'PhpFpm'
            ($P | Where-Object Kind -EQ 'ListenerStarted' | Select-Object -First 1).ProcessId | Should -Be $PMaster
        }

        It 'reports the request_terminate_timeout of the child that ran the script, then its SIGTERM as part of it' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $t = @($P | Where-Object { $_.Kind -eq 'RequestTimedOut' -and $_.ProcessId -eq $PhpChild })
            $t.Count | Should -Be 1
            $t[0].Request | Should -Be 'GET /sleep.php'
            $t[0].Pool | Should -Be 'www'
            $t[0].ZoneAssumed | Should -BeTrue
            ([DateTimeOffset]::Now - $t[0].Time).TotalMinutes | Should -BeLessThan 10
            $k = @($P | Where-Object { $_.Kind -eq 'WorkerKilled' -and $_.ProcessId -eq $PhpChild })
            $k.Count | Should -Be 1
            $k[0].Signal | Should -Be 'SIGTERM'
            $k[0].SignalNumber | Should -Be 15
            $k[0].PartOfTimeout | Should -BeTrue
            $k[0].MasterProcessId | Should -Be $PMaster
        }

        It 'reports the replacement child the master started' {
            if ($SkipReason) { Set-ItResult -Skipped -Because $SkipReason; return }
            $killed = $P | Where-Object { $_.Kind -eq 'WorkerKilled' -and $_.ProcessId -eq $PhpChild }
            $boot = @($P | Where-Object { $_.Kind -eq 'WorkerBooted' -and $_.LineNumber -gt $killed.LineNumber })
            $boot.Count | Should -BeGreaterOrEqual 1
            $boot[0].ProcessId | Should -Not -Be $PhpChild
            Test-Path "/proc/$($boot[0].ProcessId)" | Should -BeTrue
        }
    }
}
