# The incident fixtures recorded by the E2E suite (tests/fixtures/incidents): intact, self-describing,
# and diagnosed to their expected cause by the module, without root or services.
BeforeDiscovery {
    $script:Fixtures = @(Get-ChildItem (Join-Path $PSScriptRoot '../fixtures/incidents') -Directory | ForEach-Object { @{ Name = $_.Name; Dir = $_.FullName } })
}

BeforeAll {
    . "$PSScriptRoot/../e2e/E2ECommon.ps1"
}

Describe 'Incident fixture <Name>' -ForEach $Fixtures {
    BeforeAll {
        $script:Meta = Get-Content (Join-Path $Dir 'meta.json') -Raw | ConvertFrom-Json
    }
    It 'has a README, the nginx logs, the kernel messages and nginx -T' {
        foreach ($f in 'README.md', 'error.log', 'access.log', 'dmesg.txt', 'nginx-T.txt', 'nginx.conf', 'meta.json') {
            Join-Path $Dir $f | Should -Exist
        }
        (Get-Content (Join-Path $Dir 'error.log')).Count | Should -BeGreaterThan 0
    }
    It 'meta.json names the expected cause and the versions it was recorded with' {
        $Meta.expectedCause | Should -BeIn @('BackendOomKilled', 'BackendKilled', 'BackendWorkerTimeout', 'StaleKeepalive', 'RequestBodyRejected', 'BackendDown', 'BackendSlow')
        $Meta.versions.nginx | Should -Match '^nginx/\d+\.\d+\.\d+'
        $Meta.versions.kernel | Should -Not -BeNullOrEmpty
        (Get-Content (Join-Path $Dir 'README.md') -Raw) | Should -Match ([regex]::Escape("Expected cause: **$($Meta.expectedCause)**"))
    }
    It 'every key-evidence citation in the README is the line at that number' {
        $rows = @(Select-String -LiteralPath (Join-Path $Dir 'README.md') -Pattern '^\| ([\w.-]+):(\d+) \| .* \| `(.*)` \|$')
        $rows.Count | Should -BeGreaterThan 1
        $rows += @(Select-String -LiteralPath (Join-Path $Dir 'README.md') -Pattern '^- `([\w.-]+):(\d+)` .*?: `(.*)`$')
        foreach ($r in $rows) {
            $file, $line, $text = $r.Matches[0].Groups[1].Value, [int]$r.Matches[0].Groups[2].Value, $r.Matches[0].Groups[3].Value
            $actual = @(Get-Content (Join-Path $Dir $file))[$line - 1]
            $actual | Should -BeExactly ($text.Replace('\|', '|')) -Because "$file`:$line is cited in the README"
        }
    }
    It 'Find-ResetCause diagnoses the expected cause, citing the expected evidence' {
        Assert-E2EDiagnosis $Dir
    }
}
