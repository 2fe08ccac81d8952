BeforeAll {
    . "$PSScriptRoot/Common.ps1"
    Import-Module $ModulePath -Force -ErrorAction Stop
}

Describe 'NginxUpstream module' {
    It 'imports with a stamped version and Core edition' {
        $m = Get-Module NginxUpstream
        $m | Should -Not -BeNullOrEmpty
        $m.Version | Should -BeGreaterThan ([version]'0.0.0')
        $m.CompatiblePSEditions | Should -Contain 'Core'
    }
    It 'exports exactly the cmdlets its manifest lists, each implemented' {
        $listed = @((Import-PowerShellDataFile $ModulePath).CmdletsToExport) | Sort-Object
        $exported = @((Get-Module NginxUpstream).ExportedCmdlets.Keys) | Sort-Object
        $exported | Should -Be $listed
    }
    It 'uses only approved verbs' {
        $approved = (Get-Verb).Verb
        foreach ($c in (Get-Module NginxUpstream).ExportedCmdlets.Values) { $approved | Should -Contain $c.Verb }
    }
    It 'declares an OutputType on every cmdlet' {
        foreach ($c in (Get-Module NginxUpstream).ExportedCmdlets.Values) { $c.OutputType | Should -Not -BeNullOrEmpty -Because $c.Name }
    }
    It 'keeps YamlDotNet out of the default load context' {
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'YamlDotNet'
    }
}
