using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Model;
using NginxUpstream.Parsing.NginxErrorLog;
using Xunit;
using static NginxUpstream.Tests.Diagnosis.Build;

namespace NginxUpstream.Tests.Diagnosis;

public class ResetReportBuilderTests
{
    private static readonly DateTimeOffset Since = T0.AddMinutes(-30);
    private static readonly DateTimeOffset Until = T0.AddMinutes(30);

    private static EvidenceSet Ev(params object[] records)
    {
        var s = new EvidenceSet { KernelLogRead = true, BackendLogRead = true };
        foreach (var r in records) Assert.True(s.Add(r));
        return s;
    }

    private static NginxResetReport Report(IReadOnlyList<UpstreamError> errors, EvidenceSet ev, IReadOnlyList<UpstreamProbe>? probes = null,
        DateTimeOffset? generated = null) =>
        ResetReportBuilder.Build(new ResetReportInput
        {
            Host = "web1", Generated = generated ?? Until.AddHours(5), Since = Since, Until = Until,
            ErrorLogSources = new[] { "/var/log/nginx/error.log" }, Errors = errors,
            Diagnoses = new ResetDiagnoser().Diagnose(errors, ev).ToList(), ConfigFindings = ev.ConfigFindings,
            Probes = probes ?? Array.Empty<UpstreamProbe>(),
        });

    [Fact]
    public void SummaryRowsPerUpstreamAndKindWithFirstAndLast()
    {
        var errors = new[]
        {
            Error(0, UpstreamErrorKind.Reset), Error(5, UpstreamErrorKind.Reset), Error(9, UpstreamErrorKind.PrematureClose),
            Error(2, UpstreamErrorKind.Refused, peer: "10.0.0.9:9000"),
        };
        var r = Report(errors, Ev());
        Assert.Equal(4, r.ErrorCount);
        Assert.Equal(4, r.ConnectionFailureCount);
        Assert.Equal(3, r.ErrorSummary.Count);
        var first = r.ErrorSummary[0];
        Assert.Equal(("127.0.0.1:8000", UpstreamErrorKind.Reset, 2, T0, T0.AddSeconds(5), true),
            (first.UpstreamAddress, first.Kind, first.Count, first.First, first.Last, first.IsConnectionFailure));
        Assert.Contains(r.ErrorSummary, x => x is { UpstreamAddress: "127.0.0.1:8000", Kind: UpstreamErrorKind.PrematureClose, Count: 1 } && x.First == T0.AddSeconds(9) && x.Last == x.First);
        Assert.Contains(r.ErrorSummary, x => x is { UpstreamAddress: "10.0.0.9:9000", Kind: UpstreamErrorKind.Refused, Count: 1 });
        Assert.Equal(new[] { "web1" }, new[] { r.Host });
        Assert.Equal(new[] { "/var/log/nginx/error.log" }, r.ErrorLogSources);
    }

    [Fact]
    public void RecordsThatAreNotUpstreamRelatedAreNotCounted()
    {
        var notice = new UpstreamError { Time = T0, Kind = UpstreamErrorKind.Other, IsUpstreamRelated = false, Message = "signal process started" };
        var r = Report(new[] { Error(0, UpstreamErrorKind.Reset), notice, BodyBuffered(1, 99) }, Ev());
        Assert.Equal(1, r.ErrorCount);
        Assert.Equal(1, r.ConnectionFailureCount);
        Assert.Single(r.ErrorSummary);
    }

    [Fact]
    public void TopCauseIsThatOfTheIncidentWithTheMostFailures()
    {
        // Two OOM-killed failures on one upstream, three refusals on another: the refusals win on count.
        var errors = new[]
        {
            Error(0, UpstreamErrorKind.Reset), Error(1, UpstreamErrorKind.Reset),
            Error(600, UpstreamErrorKind.Refused, peer: "10.0.0.9:9000", phase: UpstreamPhase.ConnectingToUpstream),
            Error(601, UpstreamErrorKind.Refused, peer: "10.0.0.9:9000", phase: UpstreamPhase.ConnectingToUpstream),
            Error(602, UpstreamErrorKind.Refused, peer: "10.0.0.9:9000", phase: UpstreamPhase.ConnectingToUpstream),
        };
        var r = Report(errors, Ev(Oom(0)));
        Assert.Equal(2, r.IncidentCount);
        var oom = Assert.Single(r.Diagnoses, d => d.Upstream == "127.0.0.1:8000");
        Assert.Equal(ResetCause.BackendOomKilled, oom.Cause);
        var refused = Assert.Single(r.Diagnoses, d => d.Upstream == "10.0.0.9:9000");
        Assert.Equal(refused.Cause, r.TopCause);
        Assert.Equal(refused.Confidence, r.TopConfidence);
        Assert.NotEqual(ResetCause.BackendOomKilled, r.TopCause);
        Assert.Equal(new[] { oom, refused }, r.Diagnoses); // time order
    }

    [Fact]
    public void OnATieTheSurerVerdictWins()
    {
        var a = new ResetDiagnosis { Upstream = "a:1", ErrorCount = 4, Cause = ResetCause.Unknown, Confidence = 0, Start = T0 };
        var b = new ResetDiagnosis { Upstream = "b:1", ErrorCount = 4, Cause = ResetCause.StaleKeepalive, Confidence = 0.8, Start = T0.AddMinutes(5) };
        var c = new ResetDiagnosis { Upstream = "c:1", ErrorCount = 1, Cause = ResetCause.BackendDown, Confidence = 0.95, Start = T0 };
        Assert.Same(b, ResetReportBuilder.Top(new[] { a, b, c }));
        Assert.Null(ResetReportBuilder.Top(Array.Empty<ResetDiagnosis>()));
    }

    [Fact]
    public void SentenceNamesIncidentsCausesAndUpstreams()
    {
        var errors = new[]
        {
            Error(0, UpstreamErrorKind.Reset), Error(1, UpstreamErrorKind.Reset), Error(2, UpstreamErrorKind.Reset),
            Error(900, UpstreamErrorKind.Reset),
        };
        var r = Report(errors, Ev(Oom(0)));
        Assert.Equal(2, r.IncidentCount);
        var big = r.Diagnoses.Single(d => d.ErrorCount == 3);
        var small = r.Diagnoses.Single(d => d.ErrorCount == 1);
        Assert.Equal(ResetCause.BackendOomKilled, big.Cause);
        var expected = $"2 incidents on 1 upstream between 2026-11-26 23:47:00 +00:00 and 2026-11-27 00:47:00 +00:00: " +
                       $"BackendOomKilled ({big.Confidence:0.00}) on 127.0.0.1:8000 (3 failures); " +
                       (small.Cause == ResetCause.Unknown ? "Unknown cause" : $"{small.Cause} ({small.Confidence:0.00})") + " on 127.0.0.1:8000 (1 failure).";
        Assert.Equal(expected, r.Summary);
        Assert.Equal(ResetCause.BackendOomKilled, r.TopCause);
    }

    [Fact]
    public void SentenceSaysLastHourWhenTheWindowEndsNowAndListsProbes()
    {
        var probes = new[]
        {
            new UpstreamProbe { Upstream = "127.0.0.1:8000", Connected = true, Status = 200 },
            new UpstreamProbe { Upstream = "unix:/run/app.sock", ErrnoName = "ENOENT", Error = "connect: No such file or directory" },
        };
        var r = ResetReportBuilder.Build(new ResetReportInput
        {
            Since = T0.AddHours(-1), Until = T0, Generated = T0.AddSeconds(2),
            Errors = new[] { Error(-10, UpstreamErrorKind.Reset) },
            Diagnoses = new ResetDiagnoser().Diagnose(new[] { Error(-10, UpstreamErrorKind.Reset) }, Ev()).ToList(),
            Probes = probes,
        });
        Assert.StartsWith("1 incident on 1 upstream in the last hour: ", r.Summary);
        Assert.EndsWith("; probe 127.0.0.1:8000 answered 200, unix:/run/app.sock failed (ENOENT).", r.Summary);
        Assert.Equal(2, r.Probes.Count);
    }

    [Theory]
    [InlineData(60, 0, "in the last hour")]
    [InlineData(15, 0, "in the last 15 minutes")]
    [InlineData(360, 0, "in the last 6 hours")]
    [InlineData(60 * 24 * 3, 0, "in the last 3 days")]
    [InlineData(60, 30, "between 2026-11-27 00:17:00 +00:00 and 2026-11-27 01:17:00 +00:00")]
    public void WindowWords(int minutes, int endedMinutesAgo, string expected)
    {
        var until = T0.AddMinutes(60);
        Assert.Equal(expected, ResetReportBuilder.Window(until.AddMinutes(-minutes), until, until.AddMinutes(endedMinutesAgo)));
    }

    [Fact]
    public void NoFailuresGivesTheNoFailuresSentenceAndUnknown()
    {
        var client = Error(0, UpstreamErrorKind.ClientClosed);
        Assert.False(IncidentGrouper.IsConnectionFailure(client));
        var r = Report(new[] { client }, Ev());
        Assert.Empty(r.Diagnoses);
        Assert.Equal(ResetCause.Unknown, r.TopCause);
        Assert.Equal(0, r.TopConfidence);
        Assert.Equal(0, r.ConnectionFailureCount);
        Assert.Equal("No upstream connection failures between 2026-11-26 23:47:00 +00:00 and 2026-11-27 00:47:00 +00:00 (1 other upstream error.log record).", r.Summary);
        var empty = Report(Array.Empty<UpstreamError>(), Ev());
        Assert.Equal("No upstream connection failures between 2026-11-26 23:47:00 +00:00 and 2026-11-27 00:47:00 +00:00.", empty.Summary);
        Assert.Empty(empty.ErrorSummary);
    }

    [Fact]
    public void ReportOfARecordedIncidentLog()
    {
        // The stale-keepalive reproduction's error.log, parsed as the cmdlet reads it.
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "incidents", "stale-keepalive", "error.log");
        var errors = new NginxErrorLogReader { TimeZone = TimeZoneInfo.Utc }.ReadFile(path).ToList();
        var since = new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);
        var r = ResetReportBuilder.Build(new ResetReportInput
        {
            Since = since, Until = since.AddHours(1), Generated = since.AddHours(8), Errors = errors,
            Diagnoses = new ResetDiagnoser().Diagnose(errors, Ev()).ToList(),
        });
        Assert.Equal(3, r.ConnectionFailureCount);
        var d = Assert.Single(r.Diagnoses);
        Assert.Equal("10.200.68.2:8000", d.Upstream);
        var row = Assert.Single(r.ErrorSummary);
        Assert.Equal(("10.200.68.2:8000", UpstreamErrorKind.Reset, 3), (row.UpstreamAddress, row.Kind, row.Count));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 26, 13, TimeSpan.Zero), row.First);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 26, 16, TimeSpan.Zero), row.Last);
        Assert.Equal(d.Cause, r.TopCause);
        Assert.StartsWith("1 incident on 1 upstream between 2026-11-27 01:00:00 +00:00 and 2026-11-27 02:00:00 +00:00: ", r.Summary);
        Assert.Contains("on 10.200.68.2:8000 (3 failures).", r.Summary);
    }
}
