using System.Diagnostics;
using System.Text.Json;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Examples;

/// <summary>
/// examples/hello-web driven the way its README says: vzbuild installed as a dotnet tool from a
/// freshly packed package, then `make image`, `deploy`, `status`, `logs`, a one-file change
/// deployed again, and `make rollback`, against a Debian 12 and a Debian 13 node.
/// </summary>
public sealed class HelloWebMakefileTests(ITestOutputHelper log)
{
    const int Port = 8080;

    [Fact]
    public async Task MakeTargetsBuildDeployReportShowLogsAndRollBackTheExampleApp()
    {
        var clock = Stopwatch.StartNew();
        await using var fleet = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        using var tool = await VzbuildTool.PackAndInstallAsync();
        using var repo = new ExampleRepo("hello-web", tool, await DebianRootfsAsync(), await fleet.InventoryAsync());
        log.WriteLine($"nodes started, vzbuild packed and installed: {clock.Elapsed.TotalSeconds:0} s");

        // make image: podman build as usual, then vzbuild minify to build/image.oci.tar.
        Checked(await repo.MakeAsync("image"), "make image");
        var minified = new FileInfo(repo["build/image.oci.tar"]).Length;
        var full = repo.FullImageSize();
        log.WriteLine($"make image: full {full:N0} bytes, minified {minified:N0} bytes ({(double)full / minified:0.0}x): {clock.Elapsed.TotalSeconds:0} s");
        Assert.True(minified * 5 < full, $"minified {minified:N0} bytes is not a fifth of the full image's {full:N0}");
        var spec = File.ReadAllLines(repo["build/spec"]);
        Assert.Contains("/app/app.py", spec);
        Assert.Contains("/app/index.html", spec);

        // make deploy: every node answers the page and the JSON endpoint.
        var v1 = Page(repo);
        Checked(await repo.MakeAsync("deploy"), "make deploy");
        foreach (var node in fleet.Nodes)
        {
            Assert.Equal(v1, await Web.WaitForAsync(node, Port, v1, TimeSpan.FromSeconds(20)));
            using var hello = JsonDocument.Parse(await Web.TryGetAsync(node, Port, "/api/hello") ?? "null");
            Assert.Equal("hello from vz", hello.RootElement.GetProperty("greeting").GetString());
        }
        log.WriteLine($"make deploy: {clock.Elapsed.TotalSeconds:0} s");

        // make status: one running row of the pod per node.
        var status = Checked(await repo.MakeAsync("status"), "make status").StdOut;
        foreach (var node in fleet.Nodes)
            Assert.Contains(status.Split('\n'), l => l.StartsWith(node.Name + " ", StringComparison.Ordinal) && l.Contains(" hello-web ") && l.Contains(" running "));

        // make logs: the app's start line from each node's journal.
        foreach (var node in fleet.Nodes)
            Assert.Contains($"{node.Name} ", await LogLineAsync(repo, "hello-web 1 listening on port 8080", node.Name));

        // A one-file change: make image again, make deploy ships it as a delta.
        File.WriteAllText(repo["app/index.html"], File.ReadAllText(repo["app/index.html"]).Replace("<h1>Hello from vz</h1>", "<h1>Hello again from vz</h1>", StringComparison.Ordinal));
        var v2 = Page(repo);
        Assert.NotEqual(v1, v2);
        Checked(await repo.MakeAsync("image"), "make image (v2)");
        var update = Checked(await repo.MakeAsync("deploy"), "make deploy (v2)");
        Assert.Contains("delta", update.StdOut + update.StdErr);
        foreach (var node in fleet.Nodes)
            Assert.Equal(v2, await Web.WaitForAsync(node, Port, v2, TimeSpan.FromSeconds(20)));
        log.WriteLine($"make image, make deploy (v2): {clock.Elapsed.TotalSeconds:0} s");

        // make rollback: every node answers the old page again, nothing built or uploaded.
        Checked(await repo.MakeAsync("rollback"), "make rollback");
        foreach (var node in fleet.Nodes)
            Assert.Equal(v1, await Web.WaitForAsync(node, Port, v1, TimeSpan.FromSeconds(20)));
        log.WriteLine($"make rollback: {clock.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>The page the app serves at / (index.html), as the client sees it.</summary>
    static string Page(ExampleRepo repo) => File.ReadAllText(repo["app/index.html"]).Trim();

    /// <summary>
    /// The test nodes' debootstrapped Debian 12 tree (`vznode image --fresh`, cached for the node
    /// tests): the example's base image is imported from it instead of running debootstrap again.
    /// </summary>
    static async Task<string> DebianRootfsAsync()
    {
        var r = await VzNode.TryRunAsync(["image", "--release", "bookworm", "--fresh"]);
        const string ready = "base image ready: ";
        var line = r.StdErr.Split('\n').LastOrDefault(l => l.Contains(ready, StringComparison.Ordinal));
        if (!r.Ok || line is null)
            throw new InvalidOperationException($"vznode image --fresh exited {r.ExitCode}: {r.StdErr}");
        return line.Split(ready)[1].Trim();
    }

    /// <summary>`make logs` until a line of the node holds the text (the journal may lag a moment); returns that line.</summary>
    static async Task<string> LogLineAsync(ExampleRepo repo, string text, string node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var logs = Checked(await repo.MakeAsync("logs", "LINES=200"), "make logs").StdOut;
            var line = logs.Split('\n').FirstOrDefault(l => l.StartsWith(node + " ", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
                return line;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"make logs shows no line of {node} with '{text}':\n{logs}");
            await Task.Delay(1000);
        }
    }

    static ProcessResult Checked(ProcessResult r, string what) =>
        r.Ok ? r : throw new Xunit.Sdk.XunitException($"{what} exited {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}");
}
