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
    It 'keeps YamlDotNet out of the default load context' {
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'YamlDotNet'
    }
}
