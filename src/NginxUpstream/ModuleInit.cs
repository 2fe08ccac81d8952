using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace NginxUpstream;

/// <summary>
/// Isolates third-party dependencies (YamlDotNet) in a private AssemblyLoadContext, so the module
/// imports beside modules that ship another YamlDotNet (powershell-yaml, platyPS, PSRule) in
/// either order. Layout: NginxUpstream.dll and NginxUpstream.Core.dll (BCL + SMA only) in the
/// module root, loaded normally; NginxUpstream.Yaml.dll and YamlDotNet.dll in Dependencies/,
/// which the default context never probes. When Core first touches NginxUpstream.Yaml, the
/// default context fails to find it and asks <see cref="OnResolving"/>, which answers from the
/// private context; that context resolves YamlDotNet from Dependencies/ before anything else.
/// </summary>
public sealed class ModuleInit : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyDir =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInit).Assembly.Location)!, "Dependencies");

    private static readonly DependencyLoadContext PrivateContext = new(DependencyDir);

    /// <summary>Assemblies the default context may ask us for: only our own bridge.</summary>
    private static readonly HashSet<string> Bridged = new(StringComparer.Ordinal) { "NginxUpstream.Yaml" };

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += OnResolving;
        // Load the engine now so its types ([NginxUpstream.Model.ResetCause], ...) resolve in scripts right after Import-Module.
        _ = typeof(NginxUpstream.Model.LogRecord).Assembly;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= OnResolving;

    private static Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || !Bridged.Contains(name.Name)) return null;
        return PrivateContext.LoadFromAssemblyName(name);
    }

    /// <summary>Loads everything it can find in Dependencies/; falls back to default for the BCL.</summary>
    private sealed class DependencyLoadContext(string directory) : AssemblyLoadContext("NginxUpstream", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
