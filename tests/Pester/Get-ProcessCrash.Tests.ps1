BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    $script:Corpus = Join-Path $SharedRoot 'corpus/kernel-log'
}

Describe 'Get-ProcessCrash' {
    It 'finds segfault, general protection and trap lines with pid, signal and module' {
        $c = Get-ProcessCrash -Path (Join-Path $Corpus 'dmesg-raw.txt') -BootTime '2026-06-27T04:58:03.512309Z'
        $c.Kind | Should -Be @('Segfault', 'GeneralProtection', 'Trap')
        $c[0].ProcessId | Should -Be 53310
        $c[0].Signal | Should -Be 'SIGSEGV'
        $c[1].Module | Should -Be 'libc.so.6'
        $c[2].Trap | Should -Be 'invalid opcode'
        $c[2].Signal | Should -Be 'SIGILL'
    }
    It 'decodes a non-UTF-8 process name from journal JSON byte arrays' {
        $c = Get-ProcessCrash -Path (Join-Path $Corpus 'journalctl-k.json') -ProcessName 'caf*'
        $c.ProcessId | Should -Be 31502
        $c.ProcessName | Should -Be "caf$([char]0xe9)-proxy"
    }
    It 'reports the journalctl blob that hides a crash and says how to see it' {
        $c = Get-ProcessCrash -Path (Join-Path $Corpus 'journalctl-k-short.txt') -TimeZone Europe/Berlin -WarningVariable w -WarningAction SilentlyContinue
        ($c | Where-Object Kind -eq 'HiddenMessage').LineNumber | Should -Be 139
        ($w -join ' ') | Should -Match 'journalctl -k -o json'
    }
    It 'reads systemd code=killed results with -Unit' {
        $c = Get-ProcessCrash -Path (Join-Path $Corpus 'syslog.txt') -TimeZone UTC -Unit 'tomcat*' -WarningAction SilentlyContinue
        $c.Kind | Should -Be 'KilledBySignal'
        $c.Signal | Should -Be 'SIGKILL'
        $c.Unit | Should -Be 'tomcat9.service'
    }
    It 'keeps OOM kills out and crashes in' {
        $c = Get-ProcessCrash -Path (Join-Path $Corpus 'journal-system.json')
        @($c).Count | Should -Be 1
        $c.Unit | Should -Be 'nginx.service'
    }
    It 'rejects a bad -TimeZone as a terminating argument error' {
        { Get-ProcessCrash -Path (Join-Path $Corpus 'syslog.txt') -TimeZone 'Mars/Olympus' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,NginxUpstream.Commands.GetProcessCrashCommand'
    }
}
