using Vz.Cli.Commands;
using Vz.Deploy.Platform;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>vzbuild node check's exit code from what the nodes answered, with SSH replaced; node add's option checks.</summary>
public sealed class NodeCommandTests
{
    static string Ready => File.ReadAllText(RepoRoot.Combine("fixtures", "node-add", "node-check-probe.trixie-deploy.txt"));

    /// <summary>Nodes answering by name: the probe output, or an exception thrown at connect.</summary>
    sealed class Nodes(Dictionary<string, Func<string>> answers) : INodeConnector
    {
        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) =>
            Task.FromResult<INodeTransport>(new Link(answers[target.Name]));

        sealed class Link(Func<string> probe) : INodeTransport
        {
            public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) => Task.FromResult(
                command.StartsWith(NodeFacts.Probe, StringComparison.Ordinal) ? new ProcessResult(0, probe(), "")
                : command.Contains(" import -q ") ? new ProcessResult(0, "vz-check-ok\n", "")
                : new ProcessResult(0, "", ""));

            public Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct) => Task.CompletedTask;
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    static Task<int> Check(Dictionary<string, Func<string>> nodes) =>
        NodeCommand.CheckAsync(new NodeCommand.CheckCommandOptions(nodes.Keys.ToList(), null, null, Json: true, Parallel: 2, new SshOptions()),
            new CollectingReporter(), CancellationToken.None, new Nodes(nodes));

    [Fact]
    public async Task CheckJsonIsTheDocumentedShapeWithTheExitCodeFirst()
    {
        var stdout = new StringWriter();
        var nodes = new Dictionary<string, Func<string>> { ["a"] = () => Ready, ["b"] = () => throw new TransportException("cannot reach b:22: No route to host") };
        var exit = await NodeCommand.CheckAsync(new NodeCommand.CheckCommandOptions(nodes.Keys.ToList(), null, null, Json: true, Parallel: 2, new SshOptions()),
            new CollectingReporter(), CancellationToken.None, new Nodes(nodes), stdout);

        JsonOutputTests.ShapedAsDocumented("vzbuild node check --json", stdout.ToString());
        var doc = System.Text.Json.Nodes.JsonNode.Parse(stdout.ToString())!.AsObject();
        Assert.Equal(("exitCode", ExitCodes.NodesNotReady), (doc.First().Key, (int)doc["exitCode"]!));
        Assert.Equal(ExitCodes.NodesNotReady, exit);
    }

    [Fact]
    public async Task EveryNodeReadyExitsZero() =>
        Assert.Equal(ExitCodes.Ok, await Check(new() { ["a"] = () => Ready, ["b"] = () => Ready }));

    [Fact]
    public async Task ANodeNotReadyExitsWithNodesNotReady() =>
        Assert.Equal(ExitCodes.NodesNotReady, await Check(new() { ["a"] = () => Ready, ["b"] = () => Ready.Replace("linger=1\n", "") }));

    [Fact]
    public async Task ANodeThatCannotBeReachedIsNotReady() =>
        Assert.Equal(ExitCodes.NodesNotReady, await Check(new() { ["a"] = () => Ready, ["b"] = () => throw new TransportException("cannot reach b:22: No route to host") }));

    [Fact]
    public async Task ABugOnAnyNodeWins() =>
        Assert.Equal(ExitCodes.InternalError, await Check(new() { ["a"] = () => Ready, ["b"] = () => throw new NullReferenceException() }));

    [Theory]
    [InlineData(3, 0, 0, ExitCodes.Ok)]
    [InlineData(2, 1, 0, ExitCodes.NodesNotReady)]
    [InlineData(0, 2, 0, ExitCodes.NodesNotReady)]
    [InlineData(2, 1, 1, ExitCodes.InternalError)]
    public void NodeCheckExitCodeFollowsReadiness(int ready, int notReady, int bugs, int expected) =>
        Assert.Equal(expected, ExitCodes.ForNodeCheck(ready, notReady, bugs));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    public void APortOutOfRangeIsAUsageError(string port)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(ExitCodes.Usage, Program.Run(["node", "add", "192.0.2.5", "--port", port, "--user", "deploy"], stdout, stderr));
        Assert.Contains($"--port must be from 1 to 65535, got {port}", stderr.ToString());
    }

    [Fact]
    public void ThePasswordHasNoOptionOfItsOwn()
    {
        // Never argv: only --password-stdin or the terminal.
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(ExitCodes.Usage, Program.Run(["node", "add", "192.0.2.5", "--password", "x"], stdout, stderr));
        Assert.Equal(0, Program.Run(["node", "add", "--help"], stdout, stderr));
        Assert.Contains("--password-stdin", stdout.ToString());
        Assert.DoesNotContain("--password ", stdout.ToString());
    }

    [Fact]
    public void HelpListsNodeAddAndCheck()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, Program.Run(["--help"], stdout, stderr));
        Assert.Contains("node", stdout.ToString());
        stdout.GetStringBuilder().Clear();
        Assert.Equal(0, Program.Run(["node", "--help"], stdout, stderr));
        Assert.Contains("add", stdout.ToString());
        Assert.Contains("check", stdout.ToString());
    }
}
