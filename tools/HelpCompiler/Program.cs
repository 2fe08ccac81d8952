// Placeholder until the compiler lands: writes an empty MAML document.
var outDir = args[1];
Directory.CreateDirectory(outDir);
File.WriteAllText(Path.Combine(outDir, args[2]), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<helpItems schema=\"maml\" xmlns=\"http://msh\"></helpItems>\n");
return 0;
