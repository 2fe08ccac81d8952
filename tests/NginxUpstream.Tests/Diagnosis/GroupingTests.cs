using NginxUpstream.Analysis.Diagnosis;
using NginxUpstream.Model;
using Xunit;
using static NginxUpstream.Tests.Diagnosis.Build;

namespace NginxUpstream.Tests.Diagnosis;

public class GroupingTests
{
    [Fact]
    public void BurstsSplitOnTheConfiguredGapAndPerUpstream()
    {
        var errors = new[]
        {
            Error(0, UpstreamErrorKind.Reset), Error(50, UpstreamErrorKind.Reset), Error(200, UpstreamErrorKind.Reset),
            Error(10, UpstreamErrorKind.Refused, peer: "127.0.0.1:9000"),
        };
        var incidents = IncidentGrouper.Group(errors, TimeSpan.FromSeconds(60));
        Assert.Equal(3, incidents.Count);
        Assert.Equal(new[] { "127.0.0.1:8000", "127.0.0.1:9000", "127.0.0.1:8000" }, incidents.Select(i => i.Upstream));
        Assert.Equal(2, incidents[0].Errors.Count);
        Assert.Single(IncidentGrouper.Group(errors.Take(3), TimeSpan.FromSeconds(300)));
    }

    [Fact]
    public void ClientSideAndNonFailuresAreNotIncidents()
    {
        var client = new UpstreamError { Time = T0, Kind = UpstreamErrorKind.Reset, Side = ErrorSide.Client, Level = NginxLogLevel.Info };
        var buffered = BodyBuffered(0, 3);
        Assert.Empty(IncidentGrouper.Group(new[] { client, buffered }, TimeSpan.FromSeconds(60)));
        Assert.True(IncidentGrouper.IsConnectionFailure(Error(0, UpstreamErrorKind.Other, phase: UpstreamPhase.SendingRequestToUpstream, errnoName: "EPIPE", errno: 32)));
    }

    [Fact]
    public void ARetryThatFailedAgainIsCountedAsRetried()
    {
        var first = Error(0, UpstreamErrorKind.Reset, "GET", conn: 41);
        var again = Error(0, UpstreamErrorKind.Reset, "GET", conn: 41);
        var d = new ResetDiagnoser().Diagnose(new[] { first, again }, new EvidenceSet()).Single();
        Assert.Contains(d.AffectedRequests, a => a.Method == "GET" && a.Status == "retried" && a.Count == 1);
        Assert.Contains(d.AffectedRequests, a => a.Method == "GET" && a.Status == "502" && a.Count == 1);
    }

    [Fact]
    public void IdempotentRequestsAreRetriedOnAnotherServer()
    {
        var ev = new EvidenceSet();
        ev.Add(UpstreamBlock(servers: 2, keepalive: false));
        var d = new ResetDiagnoser().Diagnose(new[] { Error(0, UpstreamErrorKind.PrematureClose, "GET"), Error(0, UpstreamErrorKind.PrematureClose, "POST") }, ev).Single();
        Assert.Contains(d.AffectedRequests, a => a.Method == "GET" && a.Status == "retried");
        Assert.Contains(d.AffectedRequests, a => a.Method == "POST" && a.Status == "502");
    }

    [Fact]
    public void ConfigFindingReachesErrorsThroughTheUpstreamBlockServers()
    {
        var ev = new EvidenceSet();
        ev.Add(UpstreamBlock("api", "unix:/run/api.sock"));
        ev.Add(Finding("KA-IDLE", "api"));
        ev.Add(Finding("KA-IDLE", "other"));
        var d = new ResetDiagnoser().Diagnose(new[] { Error(0, UpstreamErrorKind.Reset, "POST", peer: "unix:/run/api.sock:") }, ev).Single();
        Assert.Contains("nginx config: 1 findings for this upstream (upstream api)", d.SourcesConsidered);
    }
}
