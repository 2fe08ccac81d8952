BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Corpus = Join-Path $SharedRoot 'corpus/nginx-error-log/corpus.log'
    $script:Tmp = Join-Path ([IO.Path]::GetTempPath()) "nu-gnue-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $Tmp | Out-Null

    # An error.log line in nginx's format, for a UTC wall-clock time ({0} time, {1} conn, {2} client octet, {3} URI).
    $script:LineFormat = '{0} [error] 31#31: *{1} recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.0.0.{2}, server: _, request: "POST {3} HTTP/1.1", upstream: "http://127.0.0.1:8000{3}", host: "app"'
    function New-ErrorLine([datetime] $Utc, [int] $Conn, [string] $Uri = '/api/x') {
        $LineFormat -f $Utc.ToString('yyyy/MM/dd HH:mm:ss'), $Conn, ($Conn % 250), $Uri
    }
}

AfterAll {
    Remove-Item -Recurse -Force $Tmp -ErrorAction SilentlyContinue
}

Describe 'Get-NginxUpstreamError' {
    Context 'reading files' {
        It 'emits the upstream-related records of the corpus, and every record with -All' {
            $up = @(Get-NginxUpstreamError -Path $Corpus -TimeZone UTC)
            $all = @(Get-NginxUpstreamError -Path $Corpus -TimeZone UTC -All)
            $all.Count | Should -Be 124
            $up.Count | Should -Be 105
            $up | ForEach-Object { $_.IsUpstreamRelated | Should -BeTrue }
            ($all | Where-Object Kind -EQ 'BodyBuffered').Count | Should -Be 1
            $up[0] | Should -BeOfType NginxUpstream.Model.UpstreamError
        }

        It 'binds FileInfo from Get-ChildItem and cites Source:LineNumber' {
            $r = @(Get-ChildItem (Split-Path $Corpus) -Filter *.log | Get-NginxUpstreamError -TimeZone UTC -Kind Reset)
            $r.Count | Should -BeGreaterThan 5
            $r[0].Source | Should -Be (Resolve-Path $Corpus).Path
            $r[0].Origin | Should -Be "$((Resolve-Path $Corpus).Path):9"
            $r[0].ErrnoName | Should -Be 'ECONNRESET'
            $r[0].Phase | Should -Be 'ReadingResponseHeaderFromUpstream'
        }

        It 'cites the same line numbers as Select-String in a log big enough to be parsed in parallel, and after a -Since seek' {
            # ~10 MB (over the 8 MB parallel threshold) with blank lines and stray text between records.
            $big = Join-Path $Tmp 'big-error.log'
            $t0 = [datetime]'2026-03-01'
            $w = [IO.StreamWriter]::new($big)
            try {
                for ($i = 0; $i -lt 40000; $i++) {
                    $w.Write((New-ErrorLine $t0.AddSeconds($i) $i "/r/$i") + "`n")
                    if ($i % 3 -eq 0) { $w.Write("`n") }
                    if ($i % 1000 -eq 7) { $w.Write("stray text that is not a record`n") }
                }
            } finally { $w.Dispose() }
            (Get-Item $big).Length | Should -BeGreaterThan 9MB
            $expected = @{}
            Select-String -LiteralPath $big -SimpleMatch 'recv() failed' | ForEach-Object { $expected[$_.Line] = $_.LineNumber }
            $all = @(Get-NginxUpstreamError -Path $big -TimeZone UTC)
            $all.Count | Should -Be 40000
            $wrong = @($all | Where-Object { $expected[$_.Line] -ne $_.LineNumber })
            $wrong.Count | Should -Be 0
            # -Since seeks near the end; line numbers must still be the file's.
            $tail = @(Get-NginxUpstreamError -Path $big -TimeZone UTC -Since ([datetimeoffset]::new($t0.AddSeconds(39000), [timespan]::Zero)))
            $tail.Count | Should -Be 1000
            $tail[0].Uri | Should -Be '/r/39000'
            @($tail | Where-Object { $expected[$_.Line] -ne $_.LineNumber }).Count | Should -Be 0
        }

        It 'filters by -Kind, -Upstream (wildcard) and -Client' {
            $refused = @(Get-NginxUpstreamError -Path $Corpus -Kind Refused -TimeZone UTC)
            $refused.Count | Should -BeGreaterThan 0
            $refused | ForEach-Object { $_.Kind | Should -Be 'Refused' }
            $php = @(Get-NginxUpstreamError -Path $Corpus -Upstream '*php-fpm*.sock' -TimeZone UTC)
            $php.Count | Should -BeGreaterThan 3
            $php | ForEach-Object { $_.Upstream | Should -BeLike '*php-fpm*' }
            $client = @(Get-NginxUpstreamError -Path $Corpus -Client '203.0.113.*' -TimeZone UTC)
            $client.Count | Should -BeGreaterThan 0
            $client | ForEach-Object { $_.Client | Should -BeLike '203.0.113.*' }
        }

        It 'reads gzip transparently' {
            $gz = Join-Path $Tmp 'error.log.2.gz'
            $in = [IO.File]::OpenRead($Corpus)
            $out = [IO.File]::Create($gz)
            $z = [IO.Compression.GZipStream]::new($out, [IO.Compression.CompressionLevel]::Optimal)
            $in.CopyTo($z); $z.Dispose(); $out.Dispose(); $in.Dispose()
            (Get-NginxUpstreamError -Path $gz -All | Measure-Object).Count | Should -Be 124
        }
    }

    Context 'bad input' {
        It 'writes FileNotFound for a missing file and still reads the others' {
            $r = @(Get-NginxUpstreamError -Path (Join-Path $Tmp 'missing.log'), $Corpus -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 105
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,NginxUpstream.Commands.GetNginxUpstreamErrorCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'keeps the records before the break of a corrupt gzip and writes CorruptLogFile' {
            $t0 = [datetime]'2026-01-01'
            $lines = foreach ($i in 1..20000) { $LineFormat -f $t0.AddSeconds($i).ToString('yyyy/MM/dd HH:mm:ss'), $i, ($i % 250), "/r/$($i * 7919 % 100003)/$($i * 104729 % 1000003)" }
            $ms = [IO.MemoryStream]::new()
            $z = [IO.Compression.GZipStream]::new($ms, [IO.Compression.CompressionLevel]::Fastest, $true)
            $b = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n") + "`n")
            $z.Write($b, 0, $b.Length); $z.Dispose()
            $bytes = $ms.ToArray()
            $mid = [int]($bytes.Length * 0.6)
            for ($i = $mid; $i -lt $mid + 64; $i++) { $bytes[$i] = $bytes[$i] -bxor 0x5A }
            $bad = Join-Path $Tmp 'corrupt.log.gz'
            [IO.File]::WriteAllBytes($bad, $bytes)
            $r = @(Get-NginxUpstreamError -Path $bad -TimeZone UTC -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -BeGreaterThan 1000
            $r.Count | Should -BeLessThan 20000
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'CorruptLogFile,NginxUpstream.Commands.GetNginxUpstreamErrorCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'reads /var/log/nginx/error.log by default, or says where it looked' {
            if (Test-Path '/var/log/nginx/error.log') {
                $v = @(Get-NginxUpstreamError -All -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue 4>&1)
                ($v | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Reading '/var/log/nginx/error.log' ($((Get-Item /var/log/nginx/error.log).Length.ToString('N0')) bytes)."
                $ev | Where-Object FullyQualifiedErrorId -Like 'FileNotFound*' | Should -BeNullOrEmpty
                return
            }
            $r = @(Get-NginxUpstreamError -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,NginxUpstream.Commands.GetNginxUpstreamErrorCommand'
            $ev[0].ErrorDetails.RecommendedAction | Should -Match 'journalctl -u nginx'
        }

        It 'counts garbage and overlong lines as skipped, never throws' {
            $f = Join-Path $Tmp 'garbage.log'
            # 3 MB of binary garbage without a newline: one line longer than the reader's buffer.
            $rnd = [Random]::new(7); $junk = [byte[]]::new(3MB); $rnd.NextBytes($junk)
            $junk = [Text.Encoding]::Latin1.GetBytes([Text.Encoding]::Latin1.GetString($junk).Replace("`n", ' '))
            $head = [Text.Encoding]::UTF8.GetBytes((New-ErrorLine ([datetime]'2026-01-01') 1) + "`n")
            $tail = [Text.Encoding]::UTF8.GetBytes("`n" + (New-ErrorLine ([datetime]'2026-01-01').AddSeconds(1) 2) + "`n")
            $fs = [IO.File]::Create($f); $fs.Write($head); $fs.Write($junk); $fs.Write($tail); $fs.Dispose()
            $v = Get-NginxUpstreamError -Path $f -TimeZone UTC -Verbose 4>&1
            $records = @($v | Where-Object { $_ -is [NginxUpstream.Model.UpstreamError] })
            $records.Count | Should -Be 2
            $records[1].Uri | Should -Be '/api/x'
            ($v | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*1 line longer than*' }) | Should -Not -BeNullOrEmpty
        }
    }

    Context 'pipeline text' {
        It 'parses journalctl -o cat style lines piped in, joining a multi-line FastCGI record' {
            $text = @(
                '2026/11/27 00:17:29 [error] 19181#19181: *69 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Exception: boom in /var/www/html/fatal.php:3'
                'Stack trace:'
                '#0 {main}'
                '  thrown in /var/www/html/fatal.php on line 3" while reading response header from upstream, client: 127.0.0.1, server: www.example.com, request: "GET /php/fatal.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "www.example.com"'
                '2026/11/27 00:17:30 [error] 19181#19181: *71 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: www.example.com, request: "POST /api HTTP/1.1", upstream: "http://127.0.0.1:8000/api", host: "www.example.com"'
            )
            $r = @($text | Get-NginxUpstreamError -TimeZone UTC)
            $r.Count | Should -Be 2
            $r[0].Kind | Should -Be 'FastCgiStderr'
            $r[0].Line.Split("`n").Count | Should -Be 4
            $r[0].UpstreamSocket | Should -Be '/run/php/php8.2-fpm.sock'
            $r[0].Source | Should -Be '<pipeline>'
            $r[1].Kind | Should -Be 'PrematureClose'
            $r[1].Method | Should -Be 'POST'
            $r[1].LineNumber | Should -Be 5
        }

        It 'gives the same records from Get-Content as from the file' {
            $a = @(Get-Content $Corpus | Get-NginxUpstreamError -TimeZone UTC -All)
            $a.Count | Should -Be 124
        }
    }

    Context '-Since and -Until' {
        BeforeAll {
            # ~3 MB, one record every 0.5 s ending now (UTC stamps, read with -TimeZone UTC).
            $script:Now = [datetime]::UtcNow
            $script:Times = foreach ($k in 0..20999) { $Now.AddSeconds(-0.5 * (20999 - $k)) }
            $script:Timed = Join-Path $Tmp 'timed.log'
            $pad = 'x' * 40
            $lines = foreach ($k in 0..20999) { $LineFormat -f $Times[$k].ToString('yyyy/MM/dd HH:mm:ss'), ($k + 1), ($k % 250), "/p/$($k + 1)/$pad" }
            [IO.File]::WriteAllLines($Timed, [string[]]$lines)
        }

        It 'takes a TimeSpan meaning "ago" and seeks: exact records and exact line numbers' {
            $r = @(Get-NginxUpstreamError -Path $Timed -TimeZone UTC -Since (New-TimeSpan -Minutes 15))
            $cut = [datetime]::UtcNow.AddMinutes(-15)
            $expected = @(foreach ($t in $Times) { if ($t.AddTicks(-($t.Ticks % 10000000)) -ge $cut.AddSeconds(-2)) { $t } })
            [math]::Abs($r.Count - $expected.Count) | Should -BeLessOrEqual 6
            $r.Count | Should -BeGreaterThan 1700
            $early = ([DateTimeOffset]$cut).AddSeconds(-5)
            $r.Where({ $_.Time -lt $early }).Count | Should -Be 0
            # The line number is the physical line: record i is on line i.
            $r[0].LineNumber | Should -Be ([int]($r[0].Uri.Split('/')[2]))
            $r[-1].LineNumber | Should -Be 21000
        }

        It 'honours -Until with a DateTime' {
            $until = [DateTimeOffset]::new($Times[99], [TimeSpan]::Zero)
            $r = @(Get-NginxUpstreamError -Path $Timed -TimeZone UTC -Until $until)
            $r.Count | Should -BeGreaterOrEqual 99
            $r.Count | Should -BeLessOrEqual 101
        }
    }

    Context '-Follow' {
        It 'keeps reading new lines and survives rotation until stopped' {
            $f = Join-Path $Tmp 'follow.log'
            Set-Content -Path $f -Value (New-ErrorLine ([datetime]'2026-01-01') 1 '/old')
            $job = Start-ThreadJob -ScriptBlock {
                Import-Module $using:ModulePath
                # -Since reads the history first, so the test does not race the job's start.
                Get-NginxUpstreamError -Path $using:f -Follow -TimeZone UTC -Since ([DateTimeOffset]'2025-12-31T00:00:00Z')
            }
            try {
                Start-Sleep -Milliseconds 1500
                Add-Content -Path $f -Value (New-ErrorLine ([datetime]'2026-01-01').AddSeconds(1) 2 '/new1')
                Start-Sleep -Milliseconds 1000
                Move-Item $f "$f.1"
                Set-Content -Path $f -Value (New-ErrorLine ([datetime]'2026-01-01').AddSeconds(2) 3 '/afterrotate')
                $got = @()
                $deadline = (Get-Date).AddSeconds(30)
                while ($got.Count -lt 3 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200; $got += @(Receive-Job $job) }
                $got.Uri | Should -Be @('/old', '/new1', '/afterrotate')
            }
            finally { Stop-Job $job; Remove-Job $job -Force }
        }
    }

    Context 'presentation' {
        It 'has a table view' {
            $t = Get-NginxUpstreamError -Path $Corpus -Kind Reset -TimeZone UTC | Select-Object -First 2 | Format-Table | Out-String -Width 250
            $t | Should -Match 'Kind\s+Errno\s+Phase'
            $t | Should -Match 'Reset\s+ECONNRESET'
        }
    }
}
