using NginxUpstream.HelpCompiler;

// HelpCompiler <docs/help> <out/en-US> <NginxUpstream.dll-Help.xml>
// Compiles every cmdlet page (front matter 'document type: cmdlet' or an 'external help file'
// key) to one MAML file and every about_*.md to about_*.help.txt. Exit 1 on any diagnostic.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: HelpCompiler <markdown-dir> <output-dir> <maml-file-name>");
    return 2;
}
var (src, outDir, mamlName) = (args[0], args[1], args[2]);
if (!Directory.Exists(src)) { Console.Error.WriteLine($"HelpCompiler: '{src}' does not exist."); return 2; }
Directory.CreateDirectory(outDir);

var result = HelpBuild.Compile(src, outDir, mamlName);
foreach (var d in result.Diagnostics) Console.Error.WriteLine($"error: {d}");
Console.WriteLine($"HelpCompiler: {result.Commands} cmdlet page(s) -> {mamlName}, {result.AboutTopics} about topic(s).");
return result.Diagnostics.Count == 0 ? 0 : 1;
