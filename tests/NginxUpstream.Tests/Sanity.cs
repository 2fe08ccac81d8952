using NginxUpstream.Sources;
using Xunit;

namespace NginxUpstream.Tests;

public class RotatedLogSetTests
{
    [Fact]
    public void OrdersOldestFirst()
    {
        var dir = Directory.CreateTempSubdirectory("nu-rot").FullName;
        foreach (var n in new[] { "error.log", "error.log.1", "error.log.2.gz", "error.log.10.gz", "access.log.1" })
            File.WriteAllText(Path.Combine(dir, n), "x");
        var set = RotatedLogSet.Expand(Path.Combine(dir, "error.log")).Select(Path.GetFileName).ToArray();
        Assert.Equal(new[] { "error.log.10.gz", "error.log.2.gz", "error.log.1", "error.log" }, set);
        Directory.Delete(dir, true);
    }
}
