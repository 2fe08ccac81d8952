using NginxUpstream.Model;

namespace NginxUpstream.Parsing.BackendLog;

/// <summary>
/// Tells which backend wrote a log from a sample of its lines: every parser scores each line
/// (3 for a message only that backend writes, 1-2 for its prefix alone) and the best total wins.
/// </summary>
public static class BackendLogDetector
{
    private static readonly (BackendKind Kind, Func<string, int> Score)[] Scorers =
    [
        (BackendKind.Gunicorn, GunicornLogParser.Score),
        (BackendKind.PhpFpm, PhpFpmLogParser.Score),
        (BackendKind.Uwsgi, UwsgiLogParser.Score),
        (BackendKind.Puma, PumaLogParser.Score),
        (BackendKind.Tomcat, TomcatLogParser.Score),
        (BackendKind.Uvicorn, UvicornLogParser.Score),
        (BackendKind.Node, NodeLogParser.Score),
    ];

    /// <summary>Sum of scores at which detection stops reading further sample lines.</summary>
    public const int Confident = 12;

    /// <summary>The backend that wrote <paramref name="lines"/>, or Unknown when none scored.</summary>
    public static BackendKind Detect(IEnumerable<string> lines) => Detect(lines, out _);

    /// <summary>As <see cref="Detect(IEnumerable{string})"/>, with the winner's total score.</summary>
    public static BackendKind Detect(IEnumerable<string> lines, out int score)
    {
        var totals = new int[Scorers.Length];
        foreach (var l in lines)
        {
            if (l.Length == 0) continue;
            for (var i = 0; i < Scorers.Length; i++) totals[i] += Scorers[i].Score(l);
            if (totals.Max() >= Confident) break;
        }
        var best = 0;
        for (var i = 1; i < totals.Length; i++) if (totals[i] > totals[best]) best = i;
        score = totals[best];
        return score > 0 ? Scorers[best].Kind : BackendKind.Unknown;
    }

    /// <summary>A parser for <paramref name="kind"/>.</summary>
    public static BackendLogParser CreateParser(BackendKind kind, BackendLogOptions? options = null, Sources.ReadStats? stats = null) => kind switch
    {
        BackendKind.Gunicorn => new GunicornLogParser(options, stats),
        BackendKind.PhpFpm => new PhpFpmLogParser(options, stats),
        BackendKind.Uwsgi => new UwsgiLogParser(options, stats),
        BackendKind.Puma => new PumaLogParser(options, stats),
        BackendKind.Tomcat => new TomcatLogParser(options, stats),
        BackendKind.Uvicorn => new UvicornLogParser(options, stats),
        BackendKind.Node => new NodeLogParser(options, stats),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no parser for this backend"),
    };
}
