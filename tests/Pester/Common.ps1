# Dot-sourced by every Pester file: where the built module and the shared corpora are.
$script:ModulePath = if ($env:NGINXUPSTREAM_MODULE) { $env:NGINXUPSTREAM_MODULE } else { Join-Path $PSScriptRoot '../../out/NginxUpstream/NginxUpstream.psd1' }
$script:SharedRoot = if ($env:NGINXUPSTREAM_SHARED) { $env:NGINXUPSTREAM_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
