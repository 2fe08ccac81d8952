using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NginxUpstream.Commands;
using NginxUpstream.Model;
using Xunit;

namespace NginxUpstream.Tests.Probing;

/// <summary>The cmdlet hosted in-process: Stop (Ctrl+C) ends an idle probe at once.</summary>
public class TestNginxUpstreamCommandTests
{
    [Fact]
    public void Stop_EndsAnIdleProbe()
    {
        using var server = new TinyHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", AfterResponse.KeepOpen);
        var iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry("Test-NginxUpstream", typeof(TestNginxUpstreamCommand), null));
        using var ps = PowerShell.Create(iss);
        ps.AddCommand("Test-NginxUpstream").AddParameter("Upstream", new[] { $"127.0.0.1:{server.Port}" })
          .AddParameter("IdleProbe").AddParameter("MaxIdle", TimeSpan.FromSeconds(60));
        var sw = Stopwatch.StartNew();
        var async = ps.BeginInvoke();
        Thread.Sleep(700);
        ps.Stop();
        Assert.ThrowsAny<Exception>(() => ps.EndInvoke(async)); // PipelineStoppedException
        Assert.True(sw.Elapsed.TotalSeconds < 10, $"took {sw.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
    }

    [Fact]
    public void RefusedUpstream_IsOutput_NotAnError()
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry("Test-NginxUpstream", typeof(TestNginxUpstreamCommand), null));
        using var ps = PowerShell.Create(iss);
        var port = TinyHttpServer.ClosedPort();
        var result = ps.AddCommand("Test-NginxUpstream").AddArgument($"127.0.0.1:{port}").Invoke();
        Assert.False(ps.HadErrors);
        var probe = Assert.IsType<UpstreamProbe>(Assert.Single(result).BaseObject);
        Assert.Equal("ECONNREFUSED", probe.ErrnoName);
    }
}
