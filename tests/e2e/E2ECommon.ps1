# Dot-sourced by every tests/e2e/Scenario*.Tests.ps1 file (in BeforeAll).
# Real services only: nginx, gunicorn and php-fpm from Debian packages, each from a temp prefix with
# its own config, on loopback or inside a network namespace the test creates. Everything started is
# registered here and removed by Stop-E2EResources (AfterAll), by pid, cgroup and netns name.
# Set NGINXUPSTREAM_E2E_UPDATE_FIXTURES=1 to copy a run's artifacts over tests/fixtures/incidents/.

. (Join-Path $PSScriptRoot '../Pester/Common.ps1')

$script:E2EAppDir = Join-Path $PSScriptRoot 'app'
$script:E2EPhpDir = Join-Path $PSScriptRoot 'php'
$script:E2EPackages = [ordered]@{
    # command -> Debian package
    '/usr/sbin/nginx'       = 'nginx'
    '/usr/bin/gunicorn'     = 'gunicorn'
    '/usr/sbin/php-fpm8.2'  = 'php8.2-fpm'
    '/usr/sbin/nft'         = 'nftables'
    '/usr/sbin/ip'          = 'iproute2'
    '/usr/bin/curl'         = 'curl'
    '/usr/bin/python3'      = 'python3'
}
$script:E2EResources = [System.Collections.Generic.List[object]]::new()

function Test-E2ERoot { return ((& id -u) -eq '0') }

# Installs the missing Debian packages once per process (apt-get update first), as root only.
function Install-E2EPackages {
    if ($global:NginxUpstreamE2EInstallTried) { return }
    $global:NginxUpstreamE2EInstallTried = $true
    $missing = @($script:E2EPackages.Keys | Where-Object { -not (Test-Path $_) } | ForEach-Object { $script:E2EPackages[$_] })
    if ($missing.Count -eq 0 -or -not (Test-E2ERoot)) { return }
    Write-Host "E2E: installing $($missing -join ', ')"
    & apt-get update -q 2>&1 | Out-Null
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -q --no-install-recommends @missing 2>&1 | Out-Null
}

function Get-E2EMemoryCgroupRoot {
    if (Test-Path '/sys/fs/cgroup/memory/memory.limit_in_bytes' -ErrorAction SilentlyContinue) { return [pscustomobject]@{ Version = 1; Root = '/sys/fs/cgroup/memory' } }
    if ((Test-Path '/sys/fs/cgroup/cgroup.controllers') -and ((Get-Content '/sys/fs/cgroup/cgroup.controllers') -match '\bmemory\b')) {
        return [pscustomobject]@{ Version = 2; Root = '/sys/fs/cgroup' }
    }
    return $null
}

# Returns $null when the scenario can run, else the reason it is skipped (shown by Set-ItResult).
# Needs: Root, Nginx, Gunicorn, PhpFpm, Nft, NetNs, MemoryCgroup.
function Get-E2ESkipReason([string[]] $Need) {
    if (-not $IsLinux) { return 'the E2E suite needs Linux' }
    if (-not (Test-E2ERoot)) { return 'not root: the E2E suite starts services, cgroups and network namespaces' }
    Install-E2EPackages
    foreach ($n in $Need) {
        switch ($n) {
            'Nginx' { if (-not (Test-Path '/usr/sbin/nginx')) { return 'nginx is not installed (apt-get install nginx failed?)' } }
            'Gunicorn' { if (-not (Test-Path '/usr/bin/gunicorn')) { return 'gunicorn is not installed (apt-get install gunicorn failed?)' } }
            'PhpFpm' { if (-not (Test-Path '/usr/sbin/php-fpm8.2')) { return 'php8.2-fpm is not installed (apt-get install php8.2-fpm failed?)' } }
            'Nft' { if (-not (Test-Path '/usr/sbin/nft')) { return 'nftables is not installed' } }
            'NetNs' {
                if (-not (Test-Path '/usr/sbin/ip')) { return 'iproute2 is not installed' }
                $probe = "nu-e2e-probe-$PID"
                & ip netns add $probe 2>&1 | Out-Null
                $ok = $LASTEXITCODE -eq 0
                if ($ok) { & ip netns del $probe 2>&1 | Out-Null }
                if (-not $ok) { return 'network namespaces are unavailable (ip netns add failed)' }
            }
            'MemoryCgroup' { if (-not (Get-E2EMemoryCgroupRoot)) { return 'no memory cgroup controller (neither /sys/fs/cgroup/memory nor cgroup v2 with memory)' } }
        }
    }
    return $null
}

function Get-E2EFreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
    return $port
}

function Get-E2EUptime { return [double]((Get-Content '/proc/uptime' -Raw).Split(' ')[0]) }

function Get-E2EBootTime {
    $btime = [long](((Get-Content '/proc/stat') -match '^btime ')[0].Split(' ')[1])
    return [DateTimeOffset]::FromUnixTimeSeconds($btime)
}

# One run = one scenario: a temp prefix (configs, sockets, logs) and an artifacts folder under out/e2e.
function New-E2ERun([string] $Scenario, [string] $TestFile) {
    $work = Join-Path ([IO.Path]::GetTempPath()) "nu-e2e-$Scenario-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    foreach ($d in 'logs', 'tmp', 'state', 'www') { New-Item -ItemType Directory -Path (Join-Path $work $d) -Force | Out-Null }
    $artifacts = Join-Path $script:RepoRoot "out/e2e/$Scenario"
    if (Test-Path $artifacts) { Remove-Item -Recurse -Force $artifacts }
    New-Item -ItemType Directory -Path $artifacts -Force | Out-Null
    $script:E2EResources.Add([pscustomobject]@{ Kind = 'Dir'; Id = $work })
    return [pscustomobject]@{
        Scenario = $Scenario; TestFile = $TestFile; Work = $work; Logs = (Join-Path $work 'logs'); State = (Join-Path $work 'state')
        Artifacts = $artifacts; StartUptime = (Get-E2EUptime); Start = [DateTimeOffset]::Now
        Nginx = $null; Backends = [System.Collections.Generic.List[object]]::new(); Requests = [System.Collections.Generic.List[object]]::new()
    }
}

function Register-E2EProcess([int] $ProcessId, [string] $Name) {
    $script:E2EResources.Add([pscustomobject]@{ Kind = 'Process'; Id = $ProcessId; Name = $Name })
}

# Starts a program in the background with stdout/stderr in the run's logs folder; returns its pid.
# A real argv (no shell string): /bin/sh only redirects, optionally joins a cgroup, then execs the
# program, so the returned pid is the program's own.
$script:E2ELauncher = 'out=$1; err=$2; cg=$3; shift 3; if [ -n "$cg" ]; then echo $$ > "$cg" || exit 97; fi; exec "$@" >"$out" 2>"$err" </dev/null'
function Start-E2EProcess($Run, [string] $Name, [string] $FilePath, [string[]] $ArgumentList, [hashtable] $Environment = @{}, [string] $CgroupProcs = '', [string] $StdOut, [switch] $NoRegister) {
    if (-not $StdOut) { $StdOut = Join-Path $Run.Logs "$Name.stdout" }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $Run.Work
    foreach ($a in @('-c', $script:E2ELauncher, 'sh', $StdOut, (Join-Path $Run.Logs "$Name.stderr"), $CgroupProcs, $FilePath) + $ArgumentList) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $p = [System.Diagnostics.Process]::Start($psi)
    if (-not $NoRegister) { Register-E2EProcess $p.Id $Name }
    return $p
}

# pid -> parent pid for every process, read once from /proc/<pid>/stat.
function Get-E2EParentMap {
    $map = @{}
    foreach ($d in [IO.Directory]::EnumerateDirectories('/proc')) {
        $name = [IO.Path]::GetFileName($d)
        if ($name -notmatch '^\d+$') { continue }
        try { $text = [IO.File]::ReadAllText("$d/stat") } catch { continue }
        if ($text -match '\) \S+ (\d+) ') { $map[[int]$name] = [int]$Matches[1] }
    }
    return $map
}

function Get-E2EDescendantPids([int] $ParentId) {
    $map = Get-E2EParentMap
    $found = [System.Collections.Generic.List[int]]::new()
    $queue = [System.Collections.Generic.Queue[int]]::new(); $queue.Enqueue($ParentId)
    while ($queue.Count) {
        $p = $queue.Dequeue()
        foreach ($kv in $map.GetEnumerator()) { if ($kv.Value -eq $p -and $kv.Key -ne $p) { $found.Add($kv.Key); $queue.Enqueue($kv.Key) } }
    }
    return @($found)
}

function Test-E2EAlive([int] $ProcessId) {
    $stat = Get-Content "/proc/$ProcessId/stat" -Raw -ErrorAction SilentlyContinue
    return [bool]($stat -and $stat -notmatch '\) Z ')
}

function Send-E2ESignal([int] $ProcessId, [string] $Signal) { & /bin/kill "-$Signal" $ProcessId 2>&1 | Out-Null }

# Stops a process and everything under it: TERM, a short grace, then KILL.
function Stop-E2EProcessTree([int] $ProcessId, [double] $GraceSeconds = 3) {
    $tree = @($ProcessId) + @(Get-E2EDescendantPids $ProcessId)
    foreach ($p in $tree) { Send-E2ESignal $p 'TERM' }
    $deadline = [DateTime]::UtcNow.AddSeconds($GraceSeconds)
    while ([DateTime]::UtcNow -lt $deadline -and @($tree | Where-Object { Test-E2EAlive $_ }).Count) { Start-Sleep -Milliseconds 100 }
    foreach ($p in $tree) { if (Test-E2EAlive $p) { Send-E2ESignal $p 'KILL' } }
}

function Wait-E2ECondition([scriptblock] $Condition, [double] $TimeoutSeconds, [string] $What) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 100
    }
    throw "E2E: timed out after $TimeoutSeconds s waiting for $What"
}

function Test-E2ETcp([string] $Address, [int] $Port) {
    $c = [System.Net.Sockets.TcpClient]::new()
    try { return $c.ConnectAsync($Address, $Port).Wait(500) -and $c.Connected } catch { return $false } finally { $c.Dispose() }
}

function Wait-E2EFile([string] $Path, [double] $TimeoutSeconds = 10) {
    Wait-E2ECondition { Test-Path $Path } $TimeoutSeconds $Path
    return (Get-Content $Path -Raw).Trim()
}

# ---------------------------------------------------------------------------------------- nginx

# Writes <work>/nginx.conf around the given http-level text and starts nginx from that prefix
# (never /etc/nginx, never the system service). Returns the listen port.
function Start-E2ENginx($Run, [string] $Http, [int] $Port = (Get-E2EFreePort), [string] $ErrorLogLevel = 'warn') {
    $w = $Run.Work
    $conf = @"
# E2E nginx for $($Run.Scenario): own prefix, own logs, one worker for determinism.
user root;
worker_processes 1;
pid $w/nginx.pid;
error_log $w/logs/error.log $ErrorLogLevel;
events { worker_connections 256; }
http {
    log_format e2e '`$remote_addr - `$remote_user [`$time_local] "`$request" `$status `$body_bytes_sent "`$http_referer" "`$http_user_agent" '
                   'cid=`$connection rt=`$request_time ua="`$upstream_addr" us="`$upstream_status" urt="`$upstream_response_time"';
    access_log $w/logs/access.log e2e;
    client_body_temp_path $w/tmp/client_body;
    proxy_temp_path $w/tmp/proxy;
    fastcgi_temp_path $w/tmp/fastcgi;
    uwsgi_temp_path $w/tmp/uwsgi;
    scgi_temp_path $w/tmp/scgi;
$Http
}
"@ -replace '@PORT@', $Port
    $confPath = Join-Path $w 'nginx.conf'
    Set-Content -Path $confPath -Value $conf
    $test = & /usr/sbin/nginx -p "$w/" -c $confPath -e "$w/logs/error.log" -t 2>&1
    if ($LASTEXITCODE -ne 0) { throw "E2E: nginx -t failed: $test" }
    $nginxPid = (Start-E2EProcess $Run 'nginx' '/usr/sbin/nginx' @('-p', "$w/", '-c', $confPath, '-e', "$w/logs/error.log", '-g', 'daemon off;')).Id
    Wait-E2ECondition { Test-E2ETcp '127.0.0.1' $Port } 10 "nginx on 127.0.0.1:$Port"
    $Run.Nginx = [pscustomobject]@{ Pid = $nginxPid; Port = $Port; Conf = $confPath }
    return $Port
}

# ---------------------------------------------------------------------------------------- backends

# Starts gunicorn (Debian's, /usr/bin/python3) serving tests/e2e/app; optionally inside a network
# namespace and/or a memory cgroup (joined before exec, so master and workers are in it).
function Start-E2EGunicorn($Run, [string] $Bind, [string[]] $Arguments = @(), [string] $Cgroup, [string] $NetNs) {
    $gargs = @('--chdir', $script:E2EAppDir, '--bind', $Bind, '--workers', '1',
        '--error-logfile', (Join-Path $Run.Logs 'gunicorn.log'), '--access-logfile', (Join-Path $Run.Logs 'gunicorn-access.log'),
        '--log-level', 'info', '--pid', (Join-Path $Run.Work 'gunicorn.pid')) + $Arguments + @('app:application')
    $file = '/usr/bin/gunicorn'
    if ($NetNs) { $gargs = @('netns', 'exec', $NetNs, $file) + $gargs; $file = '/usr/sbin/ip' }
    $procs = if ($Cgroup) { Join-Path $Cgroup 'cgroup.procs' } else { '' }
    $gpid = (Start-E2EProcess $Run 'gunicorn' $file $gargs @{ E2E_STATE = $Run.State; PYTHONDONTWRITEBYTECODE = '1' } $procs).Id
    $hostPort = $Bind -split ':'
    Wait-E2ECondition { Test-E2ETcp $hostPort[0] ([int]$hostPort[1]) } 15 "gunicorn on $Bind"
    # The worker boots after the master binds: wait for it so the first request is not queued.
    Wait-E2ECondition { (Get-Content (Join-Path $Run.Logs 'gunicorn.log') -Raw -ErrorAction SilentlyContinue) -match 'Booting worker with pid' } 15 'the gunicorn worker'
    $b = [pscustomobject]@{ Kind = 'gunicorn'; Pid = $gpid; Bind = $Bind; Log = (Join-Path $Run.Logs 'gunicorn.log'); AccessLog = (Join-Path $Run.Logs 'gunicorn-access.log') }
    $Run.Backends.Add($b)
    return $b
}

# After a worker died: gunicorn's master has booted a replacement (a "Booting worker" line for another pid).
function Wait-E2EReplacementWorker($Backend, [int] $DeadPid) {
    Wait-E2ECondition { (Get-Content $Backend.Log -Raw) -match "Booting worker with pid: (?!$DeadPid)" } 10 'the replacement worker'
}

function Get-E2EGunicornWorkerPids($Backend) { return @(Get-E2EDescendantPids $Backend.Pid | Where-Object { (Get-Content "/proc/$_/comm" -ErrorAction SilentlyContinue) -match 'gunicorn|python' }) }

# Starts php-fpm 8.2 from its own prefix (own php-fpm.conf and pool, unix socket in the prefix).
function Start-E2EPhpFpm($Run, [string] $PoolExtra = '') {
    $w = $Run.Work
    $sock = Join-Path $w 'php-fpm.sock'
    $conf = @"
; E2E php-fpm for $($Run.Scenario): own prefix, foreground, notice level (the packaged default)
[global]
pid = $w/php-fpm.pid
error_log = $w/logs/php-fpm.log
log_level = notice
daemonize = no

[www]
user = root
group = root
listen = $sock
listen.owner = root
listen.group = root
pm = static
pm.max_children = 2
access.log = $w/logs/php-fpm-access.log
env[E2E_STATE] = $($Run.State)
$PoolExtra
"@
    $confPath = Join-Path $w 'php-fpm.conf'
    Set-Content -Path $confPath -Value $conf
    Copy-Item (Join-Path $script:E2EPhpDir '*.php') (Join-Path $w 'www')
    $fpid = (Start-E2EProcess $Run 'php-fpm' '/usr/sbin/php-fpm8.2' @('--allow-to-run-as-root', '--nodaemonize', '--fpm-config', $confPath, '--prefix', $w)).Id
    Wait-E2ECondition { Test-Path $sock } 10 "php-fpm socket $sock"
    $b = [pscustomobject]@{ Kind = 'php-fpm'; Pid = $fpid; Bind = "unix:$sock"; Log = (Join-Path $Run.Logs 'php-fpm.log'); AccessLog = (Join-Path $Run.Logs 'php-fpm-access.log') }
    $Run.Backends.Add($b)
    return $b
}

# ---------------------------------------------------------------------------------------- kernel

# A memory cgroup limited to LimitMiB without swap (v1 or v2); removed by Stop-E2EResources.
function New-E2EMemoryCgroup([string] $Name, [int] $LimitMiB) {
    $cg = Get-E2EMemoryCgroupRoot
    $path = Join-Path $cg.Root "nu-e2e-$Name-$PID"
    New-Item -ItemType Directory -Path $path -Force | Out-Null
    $script:E2EResources.Add([pscustomobject]@{ Kind = 'Cgroup'; Id = $path })
    $bytes = [long]$LimitMiB * 1MB
    if ($cg.Version -eq 1) {
        Set-Content (Join-Path $path 'memory.limit_in_bytes') $bytes
        if (Test-Path (Join-Path $path 'memory.memsw.limit_in_bytes')) { Set-Content (Join-Path $path 'memory.memsw.limit_in_bytes') $bytes }
    }
    else {
        Set-Content (Join-Path $path 'memory.max') $bytes
        if (Test-Path (Join-Path $path 'memory.swap.max')) { Set-Content (Join-Path $path 'memory.swap.max') 0 }
    }
    return $path
}

# A network namespace joined to the host by a veth pair: host side <Subnet>.1, namespace <Subnet>.2 (/30).
# If another test already uses the /30 (its .1 is on some interface), the next free 10.200.X is taken.
function New-E2ENetNs([string] $Name, [string] $Subnet) {
    $used = (& ip -o -4 addr show 2>$null) -join "`n"
    $octets = $Subnet.Split('.')
    while ($used -match [regex]::Escape("inet $Subnet.1/")) {
        $octets[2] = [string](([int]$octets[2] + 1) % 250)
        $Subnet = $octets -join '.'
    }
    $ns = "nu-$Name-$PID"
    $hostIf = "nuh$($PID % 100000)$($Name.Substring(0, [Math]::Min(2, $Name.Length)))"
    $nsIf = "nun$($PID % 100000)$($Name.Substring(0, [Math]::Min(2, $Name.Length)))"
    & ip netns add $ns
    if ($LASTEXITCODE -ne 0) { throw "E2E: ip netns add $ns failed" }
    $script:E2EResources.Add([pscustomobject]@{ Kind = 'NetNs'; Id = $ns; HostIf = $hostIf })
    $cmds = @(
        @('link', 'add', $hostIf, 'type', 'veth', 'peer', 'name', $nsIf),
        @('link', 'set', $nsIf, 'netns', $ns),
        @('addr', 'add', "$Subnet.1/30", 'dev', $hostIf),
        @('link', 'set', $hostIf, 'up'),
        @('netns', 'exec', $ns, 'ip', 'addr', 'add', "$Subnet.2/30", 'dev', $nsIf),
        @('netns', 'exec', $ns, 'ip', 'link', 'set', $nsIf, 'up'),
        @('netns', 'exec', $ns, 'ip', 'link', 'set', 'lo', 'up'))
    foreach ($c in $cmds) {
        $out = & ip @c 2>&1
        if ($LASTEXITCODE -ne 0) { throw "E2E: ip $($c -join ' ') failed: $out" }
    }
    return [pscustomobject]@{ Name = $ns; HostIp = "$Subnet.1"; NsIp = "$Subnet.2"; HostIf = $hostIf; NsIf = $nsIf }
}

# Loads an nftables ruleset inside the namespace (only that namespace's traffic is affected).
function Set-E2ENftRules([string] $NetNs, [string] $Ruleset) {
    $file = Join-Path ([IO.Path]::GetTempPath()) "nu-e2e-$NetNs.nft"
    Set-Content -Path $file -Value $Ruleset
    $out = & ip netns exec $NetNs nft -f $file 2>&1
    Remove-Item $file
    if ($LASTEXITCODE -ne 0) { throw "E2E: nft -f failed in $NetNs`: $out" }
}

# ---------------------------------------------------------------------------------------- requests

# Starts one bounded curl in the background; Receive-E2ERequest waits for its status code.
function Start-E2ERequest($Run, [string] $Path, [string] $Method = 'GET', [int] $BodyBytes = 0, [double] $MaxTime = 20) {
    $n = $Run.Requests.Count + 1
    $out = Join-Path $Run.Work "curl-$n.out"
    $cargs = @('-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', "$MaxTime", '-X', $Method, "http://127.0.0.1:$($Run.Nginx.Port)$Path")
    if ($BodyBytes -gt 0) {
        $body = Join-Path $Run.Work "body-$BodyBytes.bin"
        if (-not (Test-Path $body)) { [IO.File]::WriteAllBytes($body, [byte[]]::new($BodyBytes)) }
        $cargs += @('-H', 'Content-Type: application/octet-stream', '--data-binary', "@$body")
    }
    $p = Start-E2EProcess $Run "curl-$n" '/usr/bin/curl' $cargs -StdOut $out
    $r = [pscustomobject]@{ N = $n; Method = $Method; Path = $Path; Process = $p; Out = $out; Status = $null; Time = [DateTimeOffset]::Now }
    $Run.Requests.Add($r)
    return $r
}

function Receive-E2ERequest($Request, [double] $TimeoutSeconds = 30) {
    if (-not $Request.Process.WaitForExit([int]($TimeoutSeconds * 1000))) { Stop-E2EProcessTree $Request.Process.Id 0 }
    $Request.Process.WaitForExit()
    $code = (Get-Content $Request.Out -Raw -ErrorAction SilentlyContinue)
    $Request.Status = if ($code) { [int]$code.Trim() } else { 0 }
    return $Request.Status
}

function Invoke-E2ERequest($Run, [string] $Path, [string] $Method = 'GET', [int] $BodyBytes = 0, [double] $MaxTime = 20) {
    return Receive-E2ERequest (Start-E2ERequest $Run $Path $Method $BodyBytes $MaxTime)
}

# ---------------------------------------------------------------------------------------- artifacts

# Kernel messages since the run started, raw dmesg format ("[  123.456789] text").
function Get-E2EKernelLines([double] $SinceUptime) {
    $lines = & dmesg 2>$null
    return @($lines | Where-Object { $_ -match '^\[\s*(\d+\.\d+)\]' -and [double]$Matches[1] -ge $SinceUptime })
}

function Get-E2EVersions {
    [ordered]@{
        kernel   = (& uname -r)
        nginx    = ((& /usr/sbin/nginx -v 2>&1) -join ' ') -replace '^nginx version: ', ''
        gunicorn = if (Test-Path /usr/bin/gunicorn) { (& /usr/bin/gunicorn --version 2>&1) -join ' ' } else { $null }
        python   = (& /usr/bin/python3 --version 2>&1) -join ' '
        phpFpm   = if (Test-Path /usr/sbin/php-fpm8.2) { ((& /usr/sbin/php-fpm8.2 -v 2>&1) | Select-Object -First 1) } else { $null }
        nftables = if (Test-Path /usr/sbin/nft) { (& /usr/sbin/nft --version 2>&1) -join ' ' } else { $null }
        curl     = ((& /usr/bin/curl --version) | Select-Object -First 1)
    }
}

# Copies the run's evidence into out/e2e/<scenario>/ (and, when asked, over the committed fixture):
# nginx error/access logs, backend logs, nginx -T, the kernel messages of the run, meta.json.
# -Cause: the expected top cause; -Evidence: @{ File; Pattern; Why } for the README's key-evidence
# table (line numbers are computed from the saved files, so the README never drifts from them).
function Save-E2EArtifacts($Run, [hashtable] $Extra = @{}, [string] $Cause, [hashtable] $Cite, [hashtable] $Finding, [hashtable[]] $Evidence = @()) {
    $a = $Run.Artifacts
    foreach ($f in Get-ChildItem $Run.Logs -File) {
        if ($f.Name -match '\.(stdout|stderr)$' -and $f.Length -eq 0) { continue }
        if ($f.Name -match '^curl-') { continue }
        Copy-Item $f.FullName (Join-Path $a $f.Name)
    }
    if ($Run.Nginx) {
        $t = & /usr/sbin/nginx -p "$($Run.Work)/" -c $Run.Nginx.Conf -e "$($Run.Work)/logs/error.log" -T 2>&1
        Set-Content (Join-Path $a 'nginx-T.txt') ($t | Where-Object { $_ -notmatch 'syntax is ok|test is successful' })
        Copy-Item $Run.Nginx.Conf (Join-Path $a 'nginx.conf')
    }
    $kernel = Get-E2EKernelLines ($Run.StartUptime - 0.5)
    Set-Content (Join-Path $a 'dmesg.txt') $kernel
    # The same lines as util-linux stamps them with wall-clock time (boot time + monotonic seconds).
    $iso = & dmesg --time-format iso 2>$null
    $n = if ($kernel.Count) { $kernel.Count } else { 0 }
    Set-Content (Join-Path $a 'dmesg-iso.txt') @($iso | Select-Object -Last $n)
    # Where journald keeps the kernel log, its JSON export of the run too (absent on this test host).
    if (Get-Command journalctl -ErrorAction SilentlyContinue) {
        $json = & journalctl -k -o json --no-pager --since "@$($Run.Start.ToUnixTimeSeconds() - 1)" 2>$null
        if ($LASTEXITCODE -eq 0 -and $json -and "$json".TrimStart().StartsWith('{')) { Set-Content (Join-Path $a 'journal-kernel.json') $json }
    }
    $meta = [ordered]@{
        scenario       = $Run.Scenario
        prefix         = $Run.Work
        start          = $Run.Start.ToString('o')
        end            = [DateTimeOffset]::Now.ToString('o')
        timeZone       = [TimeZoneInfo]::Local.Id
        bootTimeUtc    = (Get-E2EBootTime).ToString('o')
        bootId         = (Get-Content /proc/sys/kernel/random/boot_id -Raw).Trim()
        startUptimeSec = $Run.StartUptime
        versions       = Get-E2EVersions
        requests       = @($Run.Requests | ForEach-Object { [ordered]@{ n = $_.N; method = $_.Method; path = $_.Path; status = $_.Status; sent = $_.Time.ToString('o') } })
    }
    $meta.expectedCause = $Cause
    if ($Cite) { $meta.expectedCitation = [ordered]@{ file = $Cite.File; pattern = $Cite.Pattern } }
    if ($Finding) { $meta.expectedFinding = [ordered]@{ ruleId = $Finding.RuleId; file = $Finding.File; pattern = $Finding.Pattern } }
    foreach ($k in $Extra.Keys) { $meta[$k] = $Extra[$k] }
    $meta | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $a 'meta.json')
    Write-E2EFixtureReadme $Run $meta $Evidence
    if ($env:NGINXUPSTREAM_E2E_UPDATE_FIXTURES -eq '1') {
        $fx = Join-Path $script:RepoRoot "tests/fixtures/incidents/$($Run.Scenario)"
        New-Item -ItemType Directory -Path $fx -Force | Out-Null
        Get-ChildItem $fx -File | Remove-Item
        Copy-Item (Join-Path $a '*') $fx
    }
}

$script:E2EFileNotes = [ordered]@{
    'error.log'           = 'nginx error log (`error_log ... warn`), local time without zone'
    'access.log'          = 'nginx access log: combined + `cid=$connection rt= ua="$upstream_addr" us="$upstream_status" urt=`'
    'gunicorn.log'        = 'gunicorn error log (`--log-level info`), time with offset'
    'gunicorn-access.log' = 'gunicorn access log (default format)'
    'php-fpm.log'         = 'php-fpm master log (`log_level = notice`), local time without zone'
    'php-fpm-access.log'  = 'php-fpm pool access log (default format)'
    'dmesg.txt'           = 'kernel messages of the run, raw `dmesg` (seconds since boot); empty = the kernel said nothing'
    'dmesg-iso.txt'       = 'the same kernel lines from `dmesg --time-format iso` (wall clock = boot time + monotonic)'
    'journal-kernel.json' = 'kernel messages of the run from `journalctl -k -o json` (where journald runs)'
    'nft-ruleset.txt'     = '`nft list ruleset` inside the backend namespace after the run (with counters)'
    'nginx.conf'          = 'the nginx configuration the run used'
    'nginx-T.txt'         = '`nginx -T` of that configuration'
    'meta.json'           = 'run facts: versions, boot time/id, time zone, requests and their statuses, scenario parameters'
}

# README.md of a fixture: what happened, how it was made, versions, expected cause, key evidence lines.
function Write-E2EFixtureReadme($Run, $Meta, [hashtable[]] $Evidence) {
    $story = ''
    if ($Run.TestFile -and (Test-Path $Run.TestFile)) {
        $story = ((Get-Content $Run.TestFile) | ForEach-Object { $_ } | Select-Object -First 20 | Where-Object { $_ -match '^#' }) -replace '^# ?', '' -join "`n"
    }
    $tag = if ($Run.TestFile) { ([IO.Path]::GetFileName($Run.TestFile) -split '-')[0] } else { 'E2E' }
    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.AppendLine("# Incident fixture: $($Run.Scenario)").AppendLine()
    $null = $sb.AppendLine("Expected cause: **$($Meta.expectedCause)**").AppendLine()
    $null = $sb.AppendLine($story).AppendLine()
    $null = $sb.AppendLine('## How it was made').AppendLine()
    $null = $sb.AppendLine("Recorded on $($Meta.start) by ``tests/e2e/$([IO.Path]::GetFileName($Run.TestFile))`` with real services from Debian 12 packages")
    $null = $sb.AppendLine('(nothing simulated, nothing edited or sanitised), each from its own temp prefix with its own config;')
    $null = $sb.AppendLine("the prefix ``$($Meta.prefix)`` appears in paths and no longer exists. Regenerate as root with")
    $null = $sb.AppendLine("``NGINXUPSTREAM_E2E_UPDATE_FIXTURES=1 dotnet pwsh ./build.ps1 -Task Test -E2ETag $tag``.").AppendLine()
    $null = $sb.AppendLine('Requests (curl through nginx): ' + (($Meta.requests | ForEach-Object { "$($_.method) $($_.path) -> $($_.status)" }) -join '; ') + '.').AppendLine()
    $null = $sb.AppendLine('## Versions').AppendLine().AppendLine('| component | version |').AppendLine('|---|---|')
    foreach ($k in $Meta.versions.Keys) { if ($Meta.versions[$k]) { $null = $sb.AppendLine("| $k | $($Meta.versions[$k]) |") } }
    # Key evidence (a table): what a diagnosis of the incident should cite. Context (a list): lines that
    # confirm the story for a human (e.g. an application's own warning) but no reader turns into evidence.
    $key = @($Evidence | Where-Object { -not $_.Context })
    $context = @($Evidence | Where-Object { $_.Context })
    $null = $sb.AppendLine().AppendLine('## Key evidence').AppendLine().AppendLine('| source:line | why | line |').AppendLine('|---|---|---|')
    foreach ($e in $key) {
        foreach ($hit in Find-E2ELine $Run $e.File $e.Pattern) {
            $null = $sb.AppendLine("| $($e.File):$($hit.LineNumber) | $($e.Why) | ``$($hit.Line.Replace('|', '\|'))`` |")
        }
    }
    if ($context.Count) {
        $null = $sb.AppendLine().AppendLine('## Context (confirms the story; not expected in a diagnosis)').AppendLine()
        foreach ($e in $context) {
            foreach ($hit in Find-E2ELine $Run $e.File $e.Pattern) {
                $null = $sb.AppendLine("- ``$($e.File):$($hit.LineNumber)`` $($e.Why): ``$($hit.Line)``")
            }
        }
    }
    $null = $sb.AppendLine().AppendLine('## Files').AppendLine()
    foreach ($f in Get-ChildItem $Run.Artifacts -File | Sort-Object Name) {
        if ($script:E2EFileNotes.Contains($f.Name)) { $null = $sb.AppendLine("- ``$($f.Name)``: $($script:E2EFileNotes[$f.Name])") }
        else { $null = $sb.AppendLine("- ``$($f.Name)``") }
    }
    $null = $sb.AppendLine().AppendLine('## Time').AppendLine()
    $null = $sb.AppendLine("Host time zone $($Meta.timeZone). Boot time $($Meta.bootTimeUtc) (from /proc/stat btime, whole seconds), boot id $($Meta.bootId);")
    $null = $sb.AppendLine('`dmesg.txt` stamps are seconds since that boot.')
    Set-Content -Path (Join-Path $Run.Artifacts 'README.md') -Value $sb.ToString()
}

# Lines of an artifact with their 1-based numbers, for "Source:LineNumber" assertions.
function Find-E2ELine($Run, [string] $File, [string] $Pattern) {
    $path = Join-Path $Run.Artifacts $File
    if (-not (Test-Path $path)) { return @() }
    return @(Select-String -LiteralPath $path -Pattern $Pattern)
}

# ---------------------------------------------------------------------------------------- cleanup

# Removes everything this process started, newest first; safe to call twice and after failures.
function Stop-E2EResources {
    for ($i = $script:E2EResources.Count - 1; $i -ge 0; $i--) {
        $r = $script:E2EResources[$i]
        try {
            switch ($r.Kind) {
                'Process' { if (Test-E2EAlive $r.Id) { Stop-E2EProcessTree $r.Id } }
                'Cgroup' {
                    $procs = Join-Path $r.Id 'cgroup.procs'
                    foreach ($p in @(Get-Content $procs -ErrorAction SilentlyContinue)) { if ($p) { Send-E2ESignal ([int]$p) 'KILL' } }
                    Wait-E2ECondition { -not (Get-Content $procs -ErrorAction SilentlyContinue) } 5 "cgroup $($r.Id) to empty"
                    [IO.Directory]::Delete($r.Id)  # rmdir: cgroupfs refuses a recursive delete
                }
                'NetNs' {
                    foreach ($p in @(& ip netns pids $r.Id 2>$null)) { if ($p) { Stop-E2EProcessTree ([int]$p) } }
                    & ip netns del $r.Id 2>&1 | Out-Null
                    & ip link del $r.HostIf 2>&1 | Out-Null  # normally gone with the namespace
                }
                'Dir' { if ($env:NGINXUPSTREAM_E2E_KEEP -ne '1') { Remove-Item -Recurse -Force $r.Id -ErrorAction SilentlyContinue } }
            }
        }
        catch { Write-Warning "E2E cleanup of $($r.Kind) $($r.Id): $_" }
    }
    $script:E2EResources.Clear()
}

# ---------------------------------------------------------------------------------------- diagnosis

# The module's cmdlets, when the built module has them (they land on main as helpers finish).
# A module that is built but fails to import fails the test; a module not built at all skips it.
function Import-E2EModule {
    if (Get-Module NginxUpstream) { return }
    if (-not (Test-Path $script:ModulePath)) { Set-ItResult -Skipped -Because "the module is not built ($script:ModulePath); run build.ps1 -Task Build" }
    Import-Module $script:ModulePath -Global -ErrorAction Stop
}
function Test-E2ECmdlet([string] $Name) { return [bool](Get-Command $Name -ErrorAction SilentlyContinue) }

# First line of every It: skipped with the run's reason when the scenario could not run here.
function Assert-E2ERunnable { if ($script:Skip) { Set-ItResult -Skipped -Because $script:Skip } }

# The run's (or a fixture's) folder as an incident bundle through Find-ResetCause: one incident, the
# expected top cause (meta.json expectedCause), every citation pointing at the very line it quotes,
# the decisive evidence cited (meta.json expectedCitation; dmesg.txt and dmesg-iso.txt hold the same
# kernel lines, so either counts), the error samples at the nginx [error] lines, and where expected
# (meta.json expectedFinding) the config finding on the right line.
function Assert-E2EDiagnosis([string] $Folder) {
    Import-E2EModule
    if (-not (Test-E2ECmdlet 'Find-ResetCause')) {
        Set-ItResult -Skipped -Because 'Find-ResetCause is not in the built module yet (it lands on main with issue 7); the raw artifacts are asserted above'
    }
    $meta = Get-Content (Join-Path $Folder 'meta.json') -Raw | ConvertFrom-Json
    $diagnoses = @(Find-ResetCause -IncidentPath $Folder -BootTime ([DateTimeOffset]::Parse($meta.bootTimeUtc)) -TimeZone $meta.timeZone -ErrorVariable diagErrors -ErrorAction SilentlyContinue)
    $diagErrors | Should -BeNullOrEmpty
    $diagnoses.Count | Should -Be 1 -Because 'each scenario is one burst toward one upstream'
    $d = $diagnoses[0]
    $why = ($d.Hypotheses | ForEach-Object { $_.ToString() }) -join '; '
    "$($d.Cause)" | Should -Be $meta.expectedCause -Because "hypotheses: $why"

    $cited = @($d.Evidence | Where-Object { $_.Source -and $_.LineNumber -gt 0 } | ForEach-Object {
        [pscustomobject]@{ Evidence = $_; Path = (Resolve-E2ECitedPath $Folder $_.Source); LineNumber = [int]$_.LineNumber }
    })
    $cited.Count | Should -BeGreaterThan 0
    foreach ($c in $cited) {
        $actual = Get-E2ECitedLine $c.Path $c.LineNumber
        $actual | Should -Not -BeNullOrEmpty -Because "$($c.Evidence.Citation) must exist"
        # Log records quote their raw line (a multi-line record starts at the cited line); config
        # evidence carries the fix or directive text instead, so only its line's existence is checked.
        if ($c.Evidence.Line -and "$($c.Evidence.Kind)" -in 'UpstreamError', 'OomKill', 'ProcessCrash', 'BackendEvent') {
            $first = ($c.Evidence.Line -split "`r?`n")[0].Trim()
            $actual.Contains($first) | Should -BeTrue -Because "$($c.Evidence.Citation) must point at the line it quotes ('$first'), found '$actual'"
        }
    }
    $want = $meta.expectedCitation
    $files = if ($want.file -match '^dmesg') { @('dmesg.txt', 'dmesg-iso.txt') } else { @($want.file) }
    $hits = @($cited | Where-Object { (Split-Path $_.Path -Leaf) -in $files -and ((Get-E2ECitedLine $_.Path $_.LineNumber) -match $want.pattern) })
    $hits.Count | Should -BeGreaterThan 0 -Because "the diagnosis must cite $($want.file) /$($want.pattern)/; it cited: $(($cited | ForEach-Object { $_.Evidence.Citation }) -join ', ')"

    $d.ErrorSamples.Count | Should -BeGreaterThan 0
    foreach ($sample in $d.ErrorSamples) {
        $m = [regex]::Match($sample, '^(.+):(\d+)$')
        $m.Success | Should -BeTrue -Because "error sample '$sample' must be source:line"
        $line = Get-E2ECitedLine (Resolve-E2ECitedPath $Folder $m.Groups[1].Value) ([int]$m.Groups[2].Value)
        $line | Should -Match '^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[error\] \d+#\d+: \*\d+ .*upstream' -Because "error sample $sample must be an nginx upstream [error] line"
    }

    if ($meta.PSObject.Properties['expectedFinding'] -and $meta.expectedFinding) {
        $f = $meta.expectedFinding
        $found = @($cited | Where-Object { "$($_.Evidence.Kind)" -eq 'ConfigFinding' -and $_.Evidence.Summary -match "\[$([regex]::Escape($f.ruleId))\]" -and
                (Split-Path $_.Path -Leaf) -eq $f.file -and ((Get-E2ECitedLine $_.Path $_.LineNumber) -match $f.pattern) })
        $found.Count | Should -BeGreaterThan 0 -Because "the diagnosis must cite the $($f.ruleId) finding at $($f.file) /$($f.pattern)/"
    }
}

# A citation's file: as written, or, when it names the original host's path (nginx -T prints the
# configuration's own path), the file of that name in the bundle.
function Resolve-E2ECitedPath([string] $Folder, [string] $Source) {
    if (Test-Path -LiteralPath $Source) { return $Source }
    return (Join-Path $Folder (Split-Path $Source -Leaf))
}

function Get-E2ECitedLine([string] $Path, [int] $LineNumber) {
    if (-not (Test-Path -LiteralPath $Path) -or $LineNumber -lt 1) { return $null }
    return @(Get-Content -LiteralPath $Path)[$LineNumber - 1]
}

# Test-NginxKeepaliveConfig on the run's nginx.conf, for the nginx version of the run and told the
# backend's idle timeout, must report KA-IDLE on the upstream, at its `upstream` line.
function Assert-E2EKeepaliveFinding([string] $Folder, [string] $Upstream, [TimeSpan] $BackendIdle) {
    Import-E2EModule
    if (-not (Test-E2ECmdlet 'Test-NginxKeepaliveConfig')) {
        Set-ItResult -Skipped -Because 'Test-NginxKeepaliveConfig is not in the built module yet (it lands on main with issue 4); the raw artifacts are asserted above'
    }
    $meta = Get-Content (Join-Path $Folder 'meta.json') -Raw | ConvertFrom-Json
    $conf = Join-Path $Folder 'nginx.conf'
    $version = $meta.versions.nginx -replace '^nginx/', ''
    $findings = @(Test-NginxKeepaliveConfig -LiteralPath $conf -NginxVersion $version -BackendKeepAliveTimeout $BackendIdle | Where-Object RuleId -eq 'KA-IDLE')
    $findings.Count | Should -Be 1
    $findings[0].Upstream | Should -Be $Upstream
    (Split-Path $findings[0].File -Leaf) | Should -Be 'nginx.conf'
    $findings[0].Line | Should -Be (Select-String -LiteralPath $conf -Pattern "^\s*upstream $Upstream\s*\{")[0].LineNumber
}

# Runs one of the module's readers on an artifact of the run; the test is skipped while the cmdlet
# has not landed. Get-OomKill/Get-ProcessCrash get the run's boot time (dmesg.txt counts from boot).
function Invoke-E2EReader([string] $Folder, [string] $Cmdlet, [string] $File, [hashtable] $Parameters = @{}) {
    Import-E2EModule
    if (-not (Test-E2ECmdlet $Cmdlet)) { Set-ItResult -Skipped -Because "$Cmdlet is not in the built module yet" }
    if ($Cmdlet -in 'Get-OomKill', 'Get-ProcessCrash' -and $File -eq 'dmesg.txt') {
        $meta = Get-Content (Join-Path $Folder 'meta.json') -Raw | ConvertFrom-Json
        $Parameters['BootTime'] = [DateTimeOffset]::Parse($meta.bootTimeUtc)
    }
    return @(& $Cmdlet -LiteralPath (Join-Path $Folder $File) @Parameters)
}
