using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Model;
using Xunit;
using static NginxUpstream.Tests.Diagnosis.Build;

namespace NginxUpstream.Tests.Diagnosis;

public class ScoringTests
{
    private static EvidenceSet Ev(bool kernel = true, bool backend = true, bool config = false, params object[] records)
    {
        var s = new EvidenceSet { KernelLogRead = kernel, BackendLogRead = backend, ConfigRead = config };
        foreach (var r in records) Assert.True(s.Add(r));
        return s;
    }

    private static ResetDiagnosis One(IEnumerable<UpstreamError> errors, EvidenceSet ev, DiagnosisOptions? o = null) =>
        Assert.Single(new ResetDiagnoser(o).Diagnose(errors, ev).ToList());

    [Theory]
    [InlineData(UpstreamErrorKind.Reset)]
    [InlineData(UpstreamErrorKind.PrematureClose)]
    public void OomKillOfTheBackendIsTheCauseWhateverTheMessage(UpstreamErrorKind kind)
    {
        var d = One(new[] { Error(0, kind), Error(0, kind, "POST"), Error(1, kind) }, Ev(records: Oom(0)));
        Assert.Equal(ResetCause.BackendOomKilled, d.Cause);
        Assert.Equal(ConfidenceLevel.High, d.ConfidenceLevel);
        Assert.Equal("RC-OOM", d.Hypotheses[0].Id);
        Assert.Equal(3, d.Hypotheses[0].ErrorsExplained);
        Assert.Contains(d.Evidence, e => e.Kind == "OomKill" && e.Citation.StartsWith("journalctl -k:") && e.Supports.Contains("RC-OOM"));
        Assert.Contains("gunicorn[4242]", d.Hypotheses[0].Reason);
        Assert.Contains(d.Recommendation!.Changes, c => c.Contains("--max-requests") && c.Contains("--max-requests-jitter"));
        Assert.Contains(d.Recommendation.Changes, c => c.Contains("systemctl set-property app.service MemoryMax="));
    }

    [Fact]
    public void OomKillOfAnUnrelatedProcessDoesNotConvict()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset), Error(1, UpstreamErrorKind.Reset) }, Ev(records: Oom(0, "stress-ng", 77, "/user.slice")));
        Assert.NotEqual(ResetCause.BackendOomKilled, d.Cause);
        var oom = d.Hypotheses.FirstOrDefault(h => h.Id == "RC-OOM");
        Assert.True(oom is null || oom.Score < 0.5);
    }

    [Fact]
    public void OomKillMatchedByUnitOption()
    {
        var o = new DiagnosisOptions { Units = new[] { "myapp.service" } };
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset) }, Ev(records: Oom(0, "worker", 5, "/system.slice/myapp.service")), o);
        Assert.Equal(ResetCause.BackendOomKilled, d.Cause);
        Assert.Contains("-Unit", d.Hypotheses[0].Reason);
    }

    [Fact]
    public void OomKillMatchedByPidFromTheBackendLog()
    {
        // The kernel names the process by its comm ("w"), the backend log knows the pid.
        var d = One(new[] { Error(0, UpstreamErrorKind.PrematureClose) },
            Ev(records: new object[] { Oom(0, "w", 4343, null), Backend(-30, BackendEventKind.WorkerBooted, 4343) }));
        Assert.Equal(ResetCause.BackendOomKilled, d.Cause);
        Assert.Contains("pid 4343", d.Hypotheses[0].Reason);
    }

    [Fact]
    public void EvidenceOutsideTheSkewIsNotMatched()
    {
        var errors = new[] { Error(10, UpstreamErrorKind.Reset) };
        var near = One(errors, Ev(records: Oom(0)), new DiagnosisOptions { Skew = TimeSpan.FromSeconds(3) });
        Assert.DoesNotContain(near.Hypotheses, h => h.Id == "RC-OOM");
        var far = One(errors, Ev(records: Oom(0)), new DiagnosisOptions { Skew = TimeSpan.FromSeconds(15) });
        Assert.Equal(ResetCause.BackendOomKilled, far.Cause);
    }

    [Fact]
    public void WorkerTimeoutWithItsSigkillIsATimeoutNotAKill()
    {
        var d = One(new[] { Error(30, UpstreamErrorKind.PrematureClose), Error(30, UpstreamErrorKind.PrematureClose, "POST") },
            Ev(records: new object[] { Backend(30, BackendEventKind.WorkerTimeout), Backend(31, BackendEventKind.WorkerKilled, signal: "SIGKILL", partOfTimeout: true) }));
        Assert.Equal(ResetCause.BackendWorkerTimeout, d.Cause);
        Assert.Equal(ConfidenceLevel.High, d.ConfidenceLevel);
        Assert.DoesNotContain(d.Hypotheses, h => h.Id == "RC-KILLED");
        Assert.Contains(d.Recommendation!.Changes, c => c.StartsWith("gunicorn --timeout"));
        Assert.Contains(d.Recommendation.Changes, c => c.StartsWith("proxy_read_timeout"));
    }

    [Fact]
    public void PhpFpmTerminateTimeoutRecommendsFastcgiTimeouts()
    {
        var d = One(new[] { Error(5, UpstreamErrorKind.PrematureClose, peer: "unix:/run/php/php8.2-fpm.sock") },
            Ev(records: Backend(5, BackendEventKind.RequestTimedOut, backend: BackendKind.PhpFpm)));
        Assert.Equal(ResetCause.BackendWorkerTimeout, d.Cause);
        Assert.Contains(d.Recommendation!.Changes, c => c.StartsWith("request_terminate_timeout"));
        Assert.Contains(d.Recommendation.Changes, c => c.StartsWith("fastcgi_read_timeout"));
    }

    [Fact]
    public void SigkillWithoutOomIsBackendKilled()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset, "POST") },
            Ev(records: Backend(0, BackendEventKind.WorkerKilled, signal: "SIGKILL", detail: "Perhaps out of memory?")));
        Assert.Equal(ResetCause.BackendKilled, d.Cause);
        Assert.Contains("no OOM kill", d.Hypotheses[0].Reason);
    }

    [Fact]
    public void SigkillWithKernelOomIsTheOom()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset) },
            Ev(records: new object[] { Oom(0), Backend(0, BackendEventKind.WorkerKilled, signal: "SIGKILL") }));
        Assert.Equal(ResetCause.BackendOomKilled, d.Cause);
        Assert.Contains(d.Evidence, e => e.Kind == "BackendEvent" && e.Supports.Contains("RC-OOM"));
    }

    [Fact]
    public void SegfaultIsBackendCrashed()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.PrematureClose, peer: "unix:/run/php/php8.2-fpm.sock") },
            Ev(records: Crash(0, CrashKind.Segfault)));
        Assert.Equal(ResetCause.BackendCrashed, d.Cause);
        Assert.Contains(d.Evidence, e => e.Kind == "ProcessCrash");
    }

    [Fact]
    public void StaleKeepaliveFromConfigAndAbsenceOfDeaths()
    {
        var errors = new[]
        {
            Error(0, UpstreamErrorKind.Reset, "POST"), Error(20, UpstreamErrorKind.Reset, "GET"),
            Error(41, UpstreamErrorKind.Reset, "POST"), Error(63, UpstreamErrorKind.PrematureClose, "POST"),
        };
        var d = One(errors, Ev(config: true, records: new object[] { Finding("KA-IDLE"), UpstreamBlock() }));
        Assert.Equal(ResetCause.StaleKeepalive, d.Cause);
        Assert.Equal(ConfidenceLevel.High, d.ConfidenceLevel);
        Assert.Contains("KA-IDLE", d.Hypotheses[0].Reason);
        Assert.Contains(d.AffectedRequests, a => a.Method == "POST" && a.Status == "502" && a.Count == 3);
        Assert.Contains(d.AffectedRequests, a => a.Method == "GET" && a.Status == "retried" && a.Count == 1);
        Assert.Equal("keepalive_timeout 1s;", d.Recommendation!.Changes[0]);
        Assert.Contains(d.Evidence, e => e.Kind == "ConfigFinding" && e.Citation == "/etc/nginx/conf.d/app.conf:3");
    }

    [Fact]
    public void ResetsAloneStayUnknownWithTheNextStep()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset, "POST"), Error(20, UpstreamErrorKind.Reset, "POST") }, Ev(false, false, false));
        Assert.Equal(ResetCause.Unknown, d.Cause);
        Assert.Equal(ConfidenceLevel.None, d.ConfidenceLevel);
        Assert.Contains("Get-OomKill", d.NextStep);
        Assert.Contains("kernel log: not read", d.SourcesConsidered);
    }

    [Fact]
    public void DeathBeatsKeepaliveConfig()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset, "POST"), Error(0, UpstreamErrorKind.Reset, "POST") },
            Ev(config: true, records: new object[] { Oom(0), Finding("KA-IDLE"), UpstreamBlock() }));
        Assert.Equal(ResetCause.BackendOomKilled, d.Cause);
        var ka = d.Hypotheses.First(h => h.Id == "RC-KEEPALIVE");
        Assert.True(ka.Score < d.Hypotheses[0].Score - 0.2, ka.ToString());
    }

    [Fact]
    public void BodyBufferedOnTheSameConnectionIsRequestBodyRejected()
    {
        var errors = new[] { Error(1, UpstreamErrorKind.Reset, "POST", conn: 5, uri: "/upload"), Error(9, UpstreamErrorKind.Reset, "POST", conn: 9, uri: "/upload") };
        var companions = new[] { BodyBuffered(1, 5), BodyBuffered(8, 9) };
        var d = One(errors.Concat(companions), Ev());
        Assert.Equal(ResetCause.RequestBodyRejected, d.Cause);
        Assert.Equal(2, d.ErrorCount);
        Assert.Contains("same *N", d.Hypotheses[0].Reason);
        Assert.Contains(d.Evidence, e => e.Summary.Contains("*5: request body buffered"));
        Assert.Contains(d.Recommendation!.Changes, c => c.StartsWith("client_max_body_size"));
    }

    [Fact]
    public void BackendErrorsAndWarningsInTheWindowAreCitedAsContextSupportingNothing()
    {
        var errors = new[] { Error(1, UpstreamErrorKind.Reset, "POST", conn: 5, uri: "/upload"), BodyBuffered(1, 5) };
        var said = Backend(1, BackendEventKind.Warning, detail: "upload of 8388608 bytes over the limit: closing the connection");
        var later = Backend(600, BackendEventKind.Error, detail: "far outside the window");
        var d = One(errors, Ev(records: new object[] { said, later }));
        Assert.Equal(ResetCause.RequestBodyRejected, d.Cause);
        var ctx = Assert.Single(d.Evidence, e => e.Citation == said.Origin);
        Assert.Empty(ctx.Supports);
        Assert.Contains("over the limit", ctx.Summary);
        Assert.DoesNotContain(d.Evidence, e => e.Citation == later.Origin);
    }

    [Fact]
    public void BodyWarningOnAnotherConnectionIsNotATie()
    {
        var d = One(new[] { Error(1, UpstreamErrorKind.Reset, "POST", conn: 5, uri: "/upload"), BodyBuffered(1, 7) }, Ev());
        Assert.DoesNotContain(d.Hypotheses, h => h.Id == "RC-BODY");
    }

    [Fact]
    public void RefusedIsBackendDown()
    {
        var d = One(Enumerable.Range(0, 5).Select(i => Error(i, UpstreamErrorKind.Refused, phase: UpstreamPhase.ConnectingToUpstream)), Ev());
        Assert.Equal(ResetCause.BackendDown, d.Cause);
        Assert.Equal(ConfidenceLevel.High, d.ConfidenceLevel);
        Assert.All(d.AffectedRequests, a => Assert.Equal("502", a.Status));
    }

    [Fact]
    public void UnixSocketMissingIsBackendDown()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Other, peer: "unix:/run/app.sock", phase: UpstreamPhase.ConnectingToUpstream, errnoName: "ENOENT", errno: 2) }, Ev());
        Assert.Equal(ResetCause.BackendDown, d.Cause);
    }

    [Fact]
    public void TimeoutsAreBackendSlowWith504()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.TimedOut), Error(3, UpstreamErrorKind.TimedOut, "POST") }, Ev());
        Assert.Equal(ResetCause.BackendSlow, d.Cause);
        Assert.All(d.AffectedRequests, a => Assert.Equal("504", a.Status));
        Assert.Contains(d.Recommendation!.Changes, c => c.StartsWith("proxy_read_timeout"));
    }

    [Fact]
    public void UnreachableIsNetworkReset()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Other, peer: "10.1.2.3:8000", phase: UpstreamPhase.ConnectingToUpstream, errnoName: "EHOSTUNREACH", errno: 113) }, Ev());
        Assert.Equal(ResetCause.NetworkReset, d.Cause);
        Assert.Contains(d.Recommendation!.Changes, c => c.Contains("tcpdump") && c.Contains("10.1.2.3"));
    }

    [Fact]
    public void RemoteResetsWithNothingElseStayUnknown()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset, peer: "10.1.2.3:8000") }, Ev(true, true, true));
        Assert.Equal(ResetCause.Unknown, d.Cause);
        Assert.Contains(d.Hypotheses, h => h.Id == "RC-NETWORK");
        Assert.NotNull(d.NextStep);
    }

    [Fact]
    public void HypothesesAreRankedAndEachHasAOneSentenceReason()
    {
        var d = One(new[] { Error(0, UpstreamErrorKind.Reset, "POST"), Error(0, UpstreamErrorKind.TimedOut) }, Ev(config: true, records: new object[] { Oom(0), Finding("KA-IDLE"), UpstreamBlock() }));
        Assert.True(d.Hypotheses.Count >= 3);
        for (var i = 1; i < d.Hypotheses.Count; i++) Assert.True(d.Hypotheses[i - 1].Score >= d.Hypotheses[i].Score);
        Assert.All(d.Hypotheses, h => { Assert.EndsWith(".", h.Reason); Assert.Matches("^RC-[A-Z]+$", h.Id); });
    }
}
