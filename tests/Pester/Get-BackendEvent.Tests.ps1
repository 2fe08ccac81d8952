BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Corpus = Join-Path $SharedRoot 'corpus/backend-logs'
    $script:Rows = Import-Csv -Delimiter "`t" -Path (Join-Path $Corpus 'expected.tsv')
}

Describe 'Get-BackendEvent' -Tag 'Get-BackendEvent' {
    Context 'command surface' {
        It 'declares its output type and the log-reader parameter sets' {
            $c = Get-Command Get-BackendEvent
            $c.OutputType.Type | Should -Contain ([NginxUpstream.Model.BackendEvent])
            $c.ParameterSets.Name | Should -Be @('Path', 'LiteralPath', 'Text')
            $c.Parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
            $c.Parameters['ProcessId'].Aliases | Should -Contain 'Pid'
        }

        It 'has a help section with a description for every parameter, and examples' {
            $md = Get-Content -Raw (Join-Path $RepoRoot 'docs/help/Get-BackendEvent.md')
            foreach ($p in (Get-Command Get-BackendEvent).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }) {
                $md | Should -Match "(?m)^### -$p\r?\n\r?\n\S"
            }
            ([regex]::Matches($md, '(?m)^### Example \d+:')).Count | Should -BeGreaterOrEqual 2
        }
    }

    Context 'reading files' {
        It 'finds every corpus event of <_> in its own format' -ForEach @('gunicorn-error.log', 'php-fpm.log', 'uwsgi.log', 'puma.log', 'catalina.out', 'node-app.log') {
            $file = $_
            $events = @(Get-BackendEvent -Path (Join-Path $Corpus $file) -TimeZone UTC)
            $expected = @($Rows | Where-Object file -EQ $file)
            # Every expected subject pid appears, in order, among the events.
            $pids = @($events | ForEach-Object { if ($null -eq $_.ProcessId) { '-' } else { "$($_.ProcessId)" } })
            $i = 0
            foreach ($r in $expected) {
                while ($i -lt $pids.Count -and $pids[$i] -ne $r.pid) { $i++ }
                $i | Should -BeLessThan $pids.Count -Because "row '$($r.kind) $($r.pid)' of $file must be found in order"
                $i++
            }
            @($events | Where-Object { $_.Time -and $_.Time.Offset -ne [TimeSpan]::Zero }).Count | Should -Be 0
        }

        It 'binds FileInfo from Get-ChildItem and detects each file''s backend' {
            $byBackend = Get-ChildItem -Path $Corpus -Filter '*.log' | Get-BackendEvent | Group-Object Backend -NoElement
            $byBackend.Name | Sort-Object | Should -Be @('Gunicorn', 'Node', 'PhpFpm', 'Puma', 'Uwsgi')
        }

        It 'expands wildcards in -Path and takes -LiteralPath as typed' {
            @(Get-BackendEvent -Path (Join-Path $Corpus 'p*.log')).Backend | Sort-Object -Unique | Should -Be @('PhpFpm', 'Puma')
            $dir = Join-Path $TestDrive 'lit'; New-Item -ItemType Directory $dir | Out-Null
            Copy-Item (Join-Path $Corpus 'puma.log') -Destination (Join-Path $dir 'puma[1].log')
            @(Get-BackendEvent -LiteralPath (Join-Path $dir 'puma[1].log')).Count | Should -Be 8
        }

        It 'reads gzip by content and keeps the events before a corrupt tail' {
            $gz = Join-Path $TestDrive 'error.log.2.gz'
            $bytes = [IO.File]::ReadAllBytes((Join-Path $Corpus 'gunicorn-error.log'))
            $ms = [IO.MemoryStream]::new()
            $z = [IO.Compression.GZipStream]::new($ms, [IO.Compression.CompressionLevel]::Optimal, $true); $z.Write($bytes, 0, $bytes.Length); $z.Dispose()
            [IO.File]::WriteAllBytes($gz, $ms.ToArray())
            @(Get-BackendEvent -LiteralPath $gz).Count | Should -Be 31
            # A long log whose compressed stream breaks near its end: the lines before the break still count.
            $cut = Join-Path $TestDrive 'cut.gz'
            $long = [Text.Encoding]::UTF8.GetBytes(((Get-Content -Raw (Join-Path $Corpus 'gunicorn-error.log')) * 300))
            $ms2 = [IO.MemoryStream]::new()
            $z = [IO.Compression.GZipStream]::new($ms2, [IO.Compression.CompressionLevel]::Fastest, $true); $z.Write($long, 0, $long.Length); $z.Dispose()
            $all = $ms2.ToArray(); $at = [int]($all.Length * 0.8); for ($k = $at; $k -lt $at + 64; $k++) { $all[$k] = 0xFF }
            [IO.File]::WriteAllBytes($cut, $all)
            $partial = @(Get-BackendEvent -LiteralPath $cut -ErrorVariable err -ErrorAction SilentlyContinue)
            $err[0].FullyQualifiedErrorId | Should -Be 'CorruptLogFile,NginxUpstream.Commands.GetBackendEventCommand'
            $partial.Count | Should -BeGreaterThan 31
            $partial.Count | Should -BeLessThan (31 * 300)
        }
    }

    Context 'pipeline text' {
        It 'gives the same events from Get-Content as from the file, with the pipeline as Source' {
            $file = Join-Path $Corpus 'uwsgi.log'
            $fromText = @(Get-Content $file | Get-BackendEvent)
            $fromFile = @(Get-BackendEvent -Path $file)
            ($fromText | ForEach-Object { "$($_.Kind)/$($_.ProcessId)/$($_.LineNumber)" }) | Should -Be ($fromFile | ForEach-Object { "$($_.Kind)/$($_.ProcessId)/$($_.LineNumber)" })
            $fromText[0].Source | Should -Be '<pipeline>'
        }

        It 'strips a journald short-iso prefix and forces the format with -Backend' {
            $lines = @(
                '2026-06-27T15:09:33+0000 web1 php-fpm8.2[1200]: [WARNING] [pool www] child 1204 exited on signal 9 (SIGKILL) after 3.000000 seconds from start'
                '2026-06-27T15:09:34+0000 web1 php-fpm8.2[1200]: [NOTICE] [pool www] child 1301 started'
            )
            $e = @($lines | Get-BackendEvent -Backend PhpFpm)
            $e.Kind | Should -Be @('WorkerKilled', 'WorkerBooted')
            $e[0].Time | Should -Be ([DateTimeOffset]'2026-06-27T15:09:33+00:00')
            $e[0].WriterProcessId | Should -Be 1200
            $e[0].Signal | Should -Be 'SIGKILL'
        }
    }

    Context 'filters' {
        It 'filters by -Kind and -ProcessId' {
            $file = Join-Path $Corpus 'gunicorn-error.log'
            @(Get-BackendEvent -Path $file -Kind WorkerTimeout).ProcessId | Should -Be @(2841, 2842)
            $k = Get-BackendEvent -Path $file -Pid 2842 -Kind WorkerKilled
            $k.PartOfTimeout | Should -BeTrue
            $k.Signal | Should -Be 'SIGKILL'
            (Get-BackendEvent -Path $file -Pid 2843 -Kind WorkerKilled).PartOfTimeout | Should -BeFalse
        }

        It 'applies -TimeZone to zone-less stamps and -Since/-Until to times' {
            $file = Join-Path $Corpus 'php-fpm.log'
            $berlin = Get-BackendEvent -Path $file -TimeZone '+02:00' | Select-Object -First 1
            $berlin.Time | Should -Be ([DateTimeOffset]'2026-06-27T15:00:00+02:00')
            $win = @(Get-BackendEvent -Path $file -TimeZone UTC -Since ([DateTimeOffset]'2026-06-27T15:05:00Z') -Until ([DateTimeOffset]'2026-06-27T15:06:00Z'))
            $win.Count | Should -Be 5
            # uWSGI lines without a stamp are dropped once a time range is asked for.
            @(Get-BackendEvent -Path (Join-Path $Corpus 'uwsgi.log') -TimeZone UTC -Since ([DateTimeOffset]'2026-06-27T15:00:00Z')).Count | Should -Be 3
        }

        It 'rejects a bad -Kind value and a bad -TimeZone as terminating argument errors' {
            { Get-BackendEvent -Path (Join-Path $Corpus 'puma.log') -Kind NoSuchKind } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,NginxUpstream.Commands.GetBackendEventCommand'
            { Get-BackendEvent -Path (Join-Path $Corpus 'puma.log') -TimeZone 'Mars/Olympus' } | Should -Throw
        }
    }

    Context 'errors and accounting' {
        It 'writes BackendFormatNotDetected for a file in no known format and still reads the others' {
            $out = @(Get-BackendEvent -Path (Join-Path $Corpus 'README.md'), (Join-Path $Corpus 'puma.log') -ErrorVariable err -ErrorAction SilentlyContinue)
            $out.Count | Should -Be 8
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'BackendFormatNotDetected,NginxUpstream.Commands.GetBackendEventCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be (Get-Item (Join-Path $Corpus 'README.md')).FullName
            { Get-BackendEvent -Path (Join-Path $Corpus 'README.md') -ErrorAction Stop } | Should -Throw -ErrorId 'BackendFormatNotDetected,NginxUpstream.Commands.GetBackendEventCommand'
        }

        It 'writes FileNotFound for a missing file' {
            Get-BackendEvent -LiteralPath (Join-Path $TestDrive 'nope.log') -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,NginxUpstream.Commands.GetBackendEventCommand'
        }

        It 'accounts lines read, events and skipped lines with -Verbose' {
            $v = Get-BackendEvent -Path (Join-Path $Corpus 'uwsgi.log') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($v.Message -join "`n") | Should -Match "48 lines read, 16 records emitted, 27 skipped \(22 not an event, 5 request line\)"
            ($v.Message -join "`n") | Should -Match 'Total: 48 lines read'
        }

        It 'reads this host''s logs with no input, or warns that it found none' {
            $out = @(Get-BackendEvent -WarningVariable w -WarningAction SilentlyContinue -ErrorAction SilentlyContinue)
            if ($out.Count -eq 0) { "$w" | Should -Match 'No backend logs found' } else { $out[0] | Should -BeOfType ([NginxUpstream.Model.BackendEvent]) }
        }
    }

    Context 'view' {
        It 'shows a table with time, kind, pid, signal, the timeout mark and detail' {
            $text = Get-BackendEvent -Path (Join-Path $Corpus 'gunicorn-error.log') -Pid 2842 -Kind WorkerKilled | Out-String -Width 200
            $text | Should -Match 'Time\s+Backend\s+Kind\s+Pid\s+Signal\s+Timeout\s+Detail'
            $text | Should -Match '2026-06-27 15:12:11 Gunicorn WorkerKilled\s+2842 SIGKILL yes\s+Worker \(pid:2842\) was sent SIGKILL'
        }
    }
}
