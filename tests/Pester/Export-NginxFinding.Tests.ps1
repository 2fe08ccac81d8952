# Export-NginxFinding and Import-NginxFinding from a user's seat: YAML to the pipeline or a file,
# ShouldProcess, -NoClobber, -Force, the closed set of types, and the round trip.
BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force -ErrorAction Stop
    $script:Export = 'NginxUpstream.Commands.ExportNginxFindingCommand'
    $script:Import = 'NginxUpstream.Commands.ImportNginxFindingCommand'
    $script:Line = '2026/11/27 10:00:02 [error] 4242#4242: *9 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: "POST /orders HTTP/1.1", upstream: "http://127.0.0.1:8000/orders", host: "shop"'
    $script:Err = $Line | Get-NginxUpstreamError -TimeZone UTC
}

Describe 'Export-NginxFinding' {
    It 'writes YAML text to the pipeline when no path is given' {
        $yaml = $Err | Export-NginxFinding
        $yaml | Should -BeOfType [string]
        $yaml | Should -Match '(?m)^schemaVersion: 1$'
        $yaml | Should -Match '(?m)^- type: "UpstreamError"$'
        $yaml | Should -Match '(?m)^  errnoName: "ECONNRESET"$'
        $yaml | Should -Match '(?m)^  connectionId: 9$'
    }
    It 'writes a file and returns it' {
        $p = Join-Path $TestDrive 'a.yaml'
        $f = $Err | Export-NginxFinding -Path $p
        $f | Should -BeOfType [System.IO.FileInfo]
        $f.FullName | Should -Be $p
        Get-Content -Raw $p | Should -Match 'schemaVersion: 1'
    }
    It 'writes nothing with -WhatIf' {
        $p = Join-Path $TestDrive 'whatif.yaml'
        $Err | Export-NginxFinding -Path $p -WhatIf
        $p | Should -Not -Exist
    }
    It 'refuses to overwrite with -NoClobber' {
        $p = Join-Path $TestDrive 'keep.yaml'
        Set-Content $p 'old'
        { $Err | Export-NginxFinding -Path $p -NoClobber } | Should -Throw -ErrorId "FileExists,$Export"
        Get-Content $p | Should -Be 'old'
    }
    It 'needs -Force for a read-only file' {
        $p = Join-Path $TestDrive 'ro.yaml'
        Set-Content $p 'old'
        (Get-Item $p).IsReadOnly = $true
        { $Err | Export-NginxFinding -Path $p } | Should -Throw -ErrorId "FileReadOnly,$Export"
        $Err | Export-NginxFinding -Path $p -Force | Out-Null
        Get-Content -Raw $p | Should -Match 'schemaVersion'
    }
    It 'writes to a -LiteralPath with brackets' {
        $p = Join-Path $TestDrive 'f[1].yaml'
        $Err | Export-NginxFinding -LiteralPath $p | Out-Null
        Test-Path -LiteralPath $p | Should -BeTrue
    }
    It 'reports objects it cannot export and exports the others' {
        $yaml = @($Err, 'text', (Get-Date)) | Export-NginxFinding -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 2
        $ev[0].FullyQualifiedErrorId | Should -Be "UnsupportedFindingType,$Export"
        ([regex]::Matches($yaml, '(?m)^- type:')).Count | Should -Be 1
    }
}

Describe 'Import-NginxFinding' {
    It 'reads back the same objects' {
        $p = Join-Path $TestDrive 'rt.yaml'
        $Err | Export-NginxFinding -Path $p | Out-Null
        $back = Import-NginxFinding -Path $p
        $back | Should -BeOfType [NginxUpstream.Model.UpstreamError]
        foreach ($name in 'Time', 'Kind', 'Errno', 'ErrnoName', 'Method', 'Uri', 'UpstreamAddress', 'ConnectionId', 'Phase', 'Line', 'LineNumber') {
            $back.$name | Should -Be $Err.$name -Because $name
        }
    }
    It 'round-trips a diagnosis through Find-ResetCause' {
        $p = Join-Path $TestDrive 'diag.yaml'
        $d = $Err | Find-ResetCause -Evidence @()
        $d | Export-NginxFinding -Path $p | Out-Null
        $back = Import-NginxFinding $p
        $back | Should -BeOfType [NginxUpstream.Model.ResetDiagnosis]
        $back.Cause | Should -Be $d.Cause
        $back.NextStep | Should -Be $d.NextStep
        $back.ErrorSamples | Should -Be $d.ErrorSamples
    }
    It 'binds PSPath from Get-ChildItem' {
        $dir = Join-Path $TestDrive 'many'
        New-Item -ItemType Directory $dir | Out-Null
        $Err | Export-NginxFinding -Path (Join-Path $dir 'x.yaml') | Out-Null
        $Err | Export-NginxFinding -Path (Join-Path $dir 'y.yaml') | Out-Null
        @(Get-ChildItem $dir -Filter *.yaml | Import-NginxFinding).Count | Should -Be 2
    }
    It 'constructs only the closed set of types' {
        $p = Join-Path $TestDrive 'evil.yaml'
        Set-Content $p "schemaVersion: 1`nfindings:`n- type: `"System.IO.FileInfo`"`n  fullName: `"/etc/passwd`"`n- type: `"OomKill`"`n  processId: 3`n"
        $r = Import-NginxFinding $p -ErrorVariable ev -ErrorAction SilentlyContinue
        $r | Should -BeOfType [NginxUpstream.Model.OomKill]
        $ev[0].FullyQualifiedErrorId | Should -Be "InvalidFinding,$Import"
        "$($ev[0])" | Should -Match 'findings\[0\]\.type'
    }
    It 'rejects a document that is not a findings document' {
        $p = Join-Path $TestDrive 'other.yaml'
        Set-Content $p "name: x`n"
        Import-NginxFinding $p -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "InvalidFindingDocument,$Import"
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }
    It 'reports a missing file' {
        Import-NginxFinding -LiteralPath (Join-Path $TestDrive 'none.yaml') -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be "FileNotFound,$Import"
    }
}
