namespace Vz.Core.Tests;

public class PlainReporterTests
{
    [Fact]
    public void MeasuredProgressPrintsOneLinePerTenPercentWhateverTheStatusSays()
    {
        var sw = new StringWriter();
        var r = new PlainReporter(sw);
        for (var done = 0; done <= 1000; done += 5)
            r.Progress("node-a", done, 1000, $"upload {done} bytes");
        var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("node-a: 0%", lines[0]);
        Assert.StartsWith("node-a: 100%", lines[^1]);
    }

    [Fact]
    public void StagesWithoutATotalPrintOncePerChange()
    {
        var sw = new StringWriter();
        var r = new PlainReporter(sw);
        r.Progress("node-a", 0, 0, "connecting");
        r.Progress("node-a", 0, 0, "connecting");
        r.Progress("node-b", 0, 0, "connecting");
        r.Progress("node-a", 0, 0, "verify");
        Assert.Equal(["node-a: connecting", "node-b: connecting", "node-a: verify"], sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
