using System.Globalization;
using System.Text;

namespace NginxUpstream.Tests.NginxErrorLog;

/// <summary>One row of corpus/nginx-error-log/corpus.expected.tsv, cells unescaped to bytes.</summary>
public sealed class CorpusRow
{
    public required IReadOnlyDictionary<string, byte[]> Cells { get; init; }
    public string this[string column] => Encoding.Latin1.GetString(Cells[column]);
    public byte[] Bytes(string column) => Cells[column];
    public string Rec => this["rec"];
    public override string ToString() => "rec " + Rec;

    private static IReadOnlyList<CorpusRow>? _all;

    public static IReadOnlyList<CorpusRow> All => _all ??= Load();

    private static List<CorpusRow> Load()
    {
        var lines = File.ReadAllLines(TestPaths.Corpus("nginx-error-log", "corpus.expected.tsv"), Encoding.Latin1);
        var header = lines[0].Split('\t');
        var rows = new List<CorpusRow>();
        foreach (var l in lines.Skip(1))
        {
            if (l.Length == 0) continue;
            var cells = l.Split('\t');
            var d = new Dictionary<string, byte[]>();
            for (int i = 0; i < header.Length; i++) d[header[i]] = Unescape(i < cells.Length ? cells[i] : "");
            rows.Add(new CorpusRow { Cells = d });
        }
        return rows;
    }

    /// <summary>C-style escapes: \\ \t \n \xHH.</summary>
    public static byte[] Unescape(string cell)
    {
        var b = new List<byte>(cell.Length);
        for (int i = 0; i < cell.Length; i++)
        {
            var c = cell[i];
            if (c != '\\' || i + 1 >= cell.Length) { b.Add((byte)c); continue; }
            var n = cell[++i];
            switch (n)
            {
                case '\\': b.Add((byte)'\\'); break;
                case 't': b.Add((byte)'\t'); break;
                case 'n': b.Add((byte)'\n'); break;
                case 'r': b.Add((byte)'\r'); break;
                case 'x': b.Add(byte.Parse(cell.AsSpan(i + 1, 2), NumberStyles.HexNumber)); i += 2; break;
                default: b.Add((byte)'\\'); b.Add((byte)n); break;
            }
        }
        return b.ToArray();
    }
}
