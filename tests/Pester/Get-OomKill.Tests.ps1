BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    $script:Corpus = Join-Path $SharedRoot 'corpus/kernel-log'
    $script:Web01Boot = [DateTimeOffset]'2026-06-27T04:58:03.512309Z'
}

Describe 'Get-OomKill on saved logs' {
    It 'finds the two global and one memcg kill in raw dmesg, with the victim apart from the allocating task' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'dmesg-raw.txt') -BootTime $Web01Boot
        $k.Count | Should -Be 3
        $java = $k | Where-Object ProcessName -eq 'java'
        $java.ProcessId | Should -Be 39877
        $java.TriggeredBy | Should -Be 'C2 CompilerThre'
        $java.TriggeredByProcessId | Should -Be 39911
        $java.TaskCgroup | Should -Be '/system.slice/tomcat9.service'
        $java.Unit | Should -Be 'tomcat9.service'
        $java.Time.ToUniversalTime().ToString('o') | Should -Be '2026-06-28T08:49:54.5168310+00:00'
        $java.Reaped | Should -BeTrue
    }
    It 'ignores the userspace "Killed process" decoy written to /dev/kmsg' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'kmsg.txt') -BootTime $Web01Boot
        $k.ProcessId | Should -Not -Contain 4410
        $k.Count | Should -Be 3
    }
    It 'puts journal JSON kills on the kernel clock, not journald receipt time' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'journalctl-k.json') -ProcessName gunicorn
        $k.Time.ToUniversalTime().ToString('o') | Should -Be '2026-07-03T07:37:19.6822700+00:00'
        $k.TimeBasis | Should -Be 'KernelViaJournal'
        $k.BootId | Should -Be '8701341367604331cc0086649e2a804a'
    }
    It 'reports a memory.oom.group kill once per pid, members as MemcgGroup' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'journalctl-k-short.txt') -TimeZone Europe/Berlin -Cgroup '*nginx.service' -WarningAction SilentlyContinue
        $k.ProcessId | Should -Be @(1422, 1410, 1421, 1423)
        ($k | Where-Object Kind -eq 'MemcgGroup').Count | Should -Be 3
    }
    It 'reads systemd, systemd-oomd and earlyoom reports as OOM kills' {
        $u = Get-OomKill -Path (Join-Path $Corpus 'journal-system.json')
        ($u | Where-Object Kind -eq 'SystemdOomd').Unit | Should -Be 'worker.service'
        ($u | Where-Object Kind -eq 'SystemdUnitOom').Unit | Should -Be 'nginx.service'
        $e = Get-OomKill -Path (Join-Path $Corpus 'syslog.txt') -TimeZone UTC -WarningAction SilentlyContinue | Where-Object Killer -eq 'Earlyoom'
        $e.ProcessId | Should -Be 53777
        $e.Signal | Should -Be 'SIGTERM'
    }
    It 'takes -Since/-Until and wildcard -ProcessName' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'dmesg-raw.txt') -BootTime $Web01Boot -Since '2026-06-27T11:00:00Z' -Until '2026-06-27T12:00:00Z' -ProcessName 'uw*'
        $k.ProcessId | Should -Be 51022
        $k.Kind | Should -Be 'Memcg'
    }
    It 'reads pipeline text and warns that year-less stamps had their year inferred' {
        $k = Get-Content (Join-Path $Corpus 'syslog.txt') | Get-OomKill -TimeZone UTC -WarningVariable w -WarningAction SilentlyContinue
        $k.Count | Should -Be 8
        ($w -join ' ') | Should -Match 'no year'
    }
    It 'binds Get-ChildItem output by PSPath and reads gzip' {
        $tmp = Join-Path ([IO.Path]::GetTempPath()) "nu-oom-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory $tmp | Out-Null
        try {
            $bytes = [IO.File]::ReadAllBytes((Join-Path $Corpus 'journalctl-k.json'))
            $fs = [IO.File]::Create((Join-Path $tmp 'kern.json.1'))
            $gz = [IO.Compression.GZipStream]::new($fs, [IO.Compression.CompressionMode]::Compress)
            $gz.Write($bytes, 0, $bytes.Length); $gz.Dispose(); $fs.Dispose()
            (Get-ChildItem $tmp | Get-OomKill).Count | Should -Be 6
        }
        finally { Remove-Item -Recurse -Force $tmp }
    }
    It 'writes a non-terminating FileNotFound error and still reads the good file' {
        $k = Get-OomKill -Path (Join-Path $Corpus 'dmesg-raw.txt'), '/nonexistent/kern.log' -BootTime $Web01Boot -ErrorVariable err -ErrorAction SilentlyContinue
        $k.Count | Should -Be 3
        $err[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,NginxUpstream.Commands.GetOomKillCommand'
    }
    It 'says in -Verbose what it read and skipped' {
        $v = Get-OomKill -Path (Join-Path $Corpus 'dmesg-raw.txt') -BootTime $Web01Boot -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($v.Message -join "`n") | Should -Match '226 lines read, 6 records emitted'
        ($v.Message -join "`n") | Should -Match 'continuation of a multi-line record'
    }
    It 'shows a table view with the victim and the trigger' {
        $out = Get-OomKill -Path (Join-Path $Corpus 'dmesg-raw.txt') -BootTime $Web01Boot | Out-String -Width 200
        $out | Should -Match 'TriggeredBy'
        $out | Should -Match 'C2 CompilerThre'
    }
}

Describe 'Get-OomKill on this host (real kernel OOM kill in a memory cgroup)' -Tag 'Root', 'Live' {
    BeforeAll {
        $script:IsRoot = (& id -u) -eq '0'
        $script:V1 = Test-Path /sys/fs/cgroup/memory/memory.limit_in_bytes
        $script:V2 = (Test-Path /sys/fs/cgroup/cgroup.controllers) -and ((Get-Content /sys/fs/cgroup/cgroup.controllers) -match '\bmemory\b')
        $script:CanRun = $IsRoot -and ($V1 -or $V2)
    }
    It 'finds the kill of a process that exceeded its cgroup limit: pid, name, cgroup, time within 2 s' {
        if (-not $CanRun) { Set-ItResult -Skipped -Because 'needs root and a memory cgroup controller'; return }
        $name = "nu-oomtest-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $dir = if ($V1) { "/sys/fs/cgroup/memory/$name" } else { "/sys/fs/cgroup/$name" }
        $proc = $null
        try {
            New-Item -ItemType Directory $dir | Out-Null
            if ($V1) { Set-Content "$dir/memory.limit_in_bytes" (16MB) } else { Set-Content "$dir/memory.max" (16MB); Set-Content "$dir/memory.swap.max" 0 -ErrorAction SilentlyContinue }
            $since = [DateTimeOffset]::Now.AddSeconds(-1)
            # The shell moves itself into the cgroup, then becomes 'tail', which reads an endless line into memory.
            $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
            $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add("echo `$`$ > $dir/cgroup.procs && exec tail /dev/zero")
            $proc = [System.Diagnostics.Process]::Start($psi)
            $proc.WaitForExit(30000) | Should -BeTrue
            $died = [DateTimeOffset]::Now
            $k = $null
            foreach ($i in 1..20) {
                $k = Get-OomKill -Since $since -Cgroup "*$name" -WarningAction SilentlyContinue
                if ($k) { break }
                Start-Sleep -Milliseconds 250
            }
            $k | Should -Not -BeNullOrEmpty
            @($k).Count | Should -Be 1
            $k.ProcessId | Should -Be $proc.Id
            $k.ProcessName | Should -Be 'tail'
            $k.TaskCgroup | Should -Be "/$name"
            $k.Kind | Should -Be 'Memcg'
            $k.Killer | Should -Be 'Kernel'
            [math]::Abs(($k.Time - $died).TotalSeconds) | Should -BeLessOrEqual 2
        }
        finally {
            if ($proc -and -not $proc.HasExited) { $proc.Kill() }
            foreach ($i in 1..20) {
                if (-not (Test-Path $dir)) { break }
                try { [IO.Directory]::Delete($dir) } catch { Start-Sleep -Milliseconds 100 }
            }
        }
        Test-Path $dir | Should -BeFalse
    }
}
