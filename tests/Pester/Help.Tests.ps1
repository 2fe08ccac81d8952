# Help quality, in the manner of PSScriptAnalyzer's ModuleHelp tests: every exported cmdlet has
# compiled help (not the auto-generated stub), a synopsis, a description, at least two examples,
# and a description for each of its parameters; and the documented parameters agree with the code.
BeforeDiscovery {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    $script:Commands = @(Get-Command -Module NginxUpstream -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help for <Name>' -ForEach $Commands -AllowNullOrEmptyForEach {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Cmd = Get-Command $Name
    }
    It 'is compiled MAML help, not the auto-generated stub' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
    }
    It 'has a description' {
        ($Help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }
    It 'has at least two examples, each with code and remarks' {
        @($Help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $Help.Examples.Example) {
            $e.Code | Should -Not -BeNullOrEmpty
            ($e.Remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }
    It 'describes every parameter of the code' {
        $documented = @{}
        foreach ($p in $Help.Parameters.Parameter) { $documented[$p.Name] = $p }
        foreach ($p in $Cmd.Parameters.Values | Where-Object Name -NotIn $Common) {
            $documented.ContainsKey($p.Name) | Should -BeTrue -Because "-$($p.Name) of $Name must be documented"
            ($documented[$p.Name].Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$($p.Name) needs a description"
        }
    }
    It 'documents no parameter the code lacks' {
        foreach ($p in $Help.Parameters.Parameter) {
            $Cmd.Parameters.Keys | Should -Contain $p.Name -Because "help documents -$($p.Name)"
        }
    }
    It 'agrees with the code on mandatory, position and pipeline input' {
        foreach ($hp in $Help.Parameters.Parameter) {
            $cp = $Cmd.Parameters[$hp.Name]
            if (-not $cp) { continue }
            $attrs = $cp.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
            ([string]$hp.Required) | Should -Be ([string][bool]($attrs | Where-Object Mandatory)).ToLower() -Because "-$($hp.Name) mandatory flag"
            $byValue = [bool]($attrs | Where-Object ValueFromPipeline)
            $byName = [bool]($attrs | Where-Object ValueFromPipelineByPropertyName)
            $hp.PipelineInput -match 'ByValue' | Should -Be $byValue -Because "-$($hp.Name) ByValue"
            $hp.PipelineInput -match 'ByPropertyName' | Should -Be $byName -Because "-$($hp.Name) ByPropertyName"
            $positions = @($attrs | Where-Object { $_.Position -ge 0 } | ForEach-Object Position)
            $expected = if ($positions.Count -gt 0) { [string]$positions[0] } else { 'named' }
            $hp.Position | Should -Be $expected -Because "-$($hp.Name) position"
            foreach ($alias in $cp.Aliases) { $hp.Aliases | Should -Match ([regex]::Escape($alias)) -Because "-$($hp.Name) alias $alias" }
        }
    }
}

Describe 'about_NginxUpstream' {
    It 'is found by Get-Help and explains the diagnostic sequence' {
        $about = Get-Help about_NginxUpstream | Out-String
        $about | Should -Match 'DIAGNOSTIC SEQUENCE'
        $about | Should -Match 'Find-ResetCause'
    }
}
