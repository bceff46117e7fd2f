using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Runner;

public sealed class FleetRunnerTests
{
    readonly CollectingReporter reporter = new();

    static readonly FleetOptions Fast = new() { Parallel = 4, Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) };

    static IReadOnlyList<NodeTarget> Nodes(int n) =>
        Enumerable.Range(0, n).Select(i => new NodeTarget($"node-{(char)('a' + i)}", $"10.0.0.{i + 1}", 22, "vz", [])).ToList();

    /// <summary>A connector whose transports do nothing; it counts connections and disposals per node.</summary>
    sealed class CountingConnector(Func<NodeTarget, int, Exception?>? refuse = null) : INodeConnector
    {
        readonly Dictionary<string, int> connects = new();
        int open, disposed;
        public int Connects(string node) { lock (connects) return connects.GetValueOrDefault(node); }
        public int Open => open;
        public int Disposed => disposed;

        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
        {
            int n;
            lock (connects)
                connects[target.Name] = n = connects.GetValueOrDefault(target.Name) + 1;
            if (refuse?.Invoke(target, n) is { } e)
                throw e;
            Interlocked.Increment(ref open);
            return Task.FromResult<INodeTransport>(new Idle(this));
        }

        sealed class Idle(CountingConnector owner) : INodeTransport
        {
            public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) => Task.FromResult(new ProcessResult(0, "", ""));
            public Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct) => Task.CompletedTask;
            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner.disposed);
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task EveryNodeGetsItsStepAndOutcomesComeInTheOrderOfTheTargets()
    {
        var connector = new CountingConnector();
        var targets = Nodes(5);

        // Later nodes finish first.
        var result = await new FleetRunner(connector, reporter, Fast).RunAsync(targets, async (a, ct) =>
        {
            await Task.Delay(10 * (5 - targets.ToList().IndexOf(a.Target)), ct);
            return a.Target.Host;
        });

        Assert.Equal(targets.Select(t => t.Host), result.Nodes.Select(n => n.Value));
        Assert.All(result.Nodes, n => Assert.Equal((StepStatus.Ok, 1, null), (n.Status, n.Attempts, n.Error)));
        Assert.Equal((5, 0, 0), (result.Succeeded, result.Failed, result.InternalErrors));
        Assert.Equal((5, 5), (connector.Open, connector.Disposed));
    }

    [Fact]
    public async Task ABrokenLinkIsRetriedOnAFreshConnectionUntilTheRetriesRunOut()
    {
        var connector = new CountingConnector();

        var result = await new FleetRunner(connector, reporter, Fast).RunAsync<int>(Nodes(1),
            (_, _) => throw new TransportException("connection lost: reset by peer"));

        var n = Assert.Single(result.Nodes);
        Assert.Equal((StepStatus.Failed, 3, 3), (n.Status, n.Attempts, connector.Connects("node-a")));
        Assert.Equal("connection lost: reset by peer (VZ3013)", n.Error);
        Assert.Equal(2, reporter.Lines.Count(l => l.StartsWith("warning: node-a: connection lost") && l.Contains("retrying")));
        Assert.Equal(3, connector.Disposed);
    }

    [Fact]
    public async Task ALinkThatComesBackSucceedsOnTheNextAttempt()
    {
        var connector = new CountingConnector(refuse: (_, n) => n == 1 ? new TransportException("cannot reach 10.0.0.1:22: timed out") : null);

        var result = await new FleetRunner(connector, reporter, Fast).RunAsync(Nodes(1), (a, _) => Task.FromResult(a.Attempt));

        var n = Assert.Single(result.Nodes);
        Assert.Equal((StepStatus.Ok, 1, 2), (n.Status, n.Value, n.Attempts));
    }

    [Fact]
    public async Task AnErrorOfVzFailsTheNodeWithoutARetry()
    {
        var connector = new CountingConnector();

        var result = await new FleetRunner(connector, reporter, Fast).RunAsync<int>(Nodes(1),
            (_, _) => throw new VzException(DeployErrors.HostKeyChanged, "HOST KEY CHANGED for node-a"));

        var n = Assert.Single(result.Nodes);
        Assert.Equal((StepStatus.Failed, 1), (n.Status, n.Attempts));
        Assert.Equal("HOST KEY CHANGED for node-a (VZ3011)", n.Error);
        Assert.Equal(1, connector.Connects("node-a"));
    }

    [Fact]
    public async Task ABugIsAnInternalErrorNeverRetriedAndTheOtherNodesGoOn()
    {
        var connector = new CountingConnector();

        var result = await new FleetRunner(connector, reporter, Fast).RunAsync(Nodes(3), (a, _) =>
            a.Target.Name == "node-b" ? throw new NullReferenceException("Object reference not set to an instance of an object.") : Task.FromResult(1));

        Assert.Equal([StepStatus.Ok, StepStatus.InternalError, StepStatus.Ok], result.Nodes.Select(n => n.Status));
        var bug = result.Nodes[1];
        Assert.Equal(1, bug.Attempts);
        Assert.StartsWith("internal error: this is a bug in vz, please report it: System.NullReferenceException:", bug.Error);
        Assert.Equal((2, 1, 1), (result.Succeeded, result.Failed, result.InternalErrors));
        Assert.Contains(reporter.Lines, l => l.StartsWith("warning: node-b: internal error"));
    }

    [Fact]
    public async Task AConnectorThatThrowsSomethingElseIsABugToo()
    {
        var connector = new CountingConnector(refuse: (_, _) => new ObjectDisposedException("SshClient"));

        var result = await new FleetRunner(connector, reporter, Fast).RunAsync(Nodes(1), (_, _) => Task.FromResult(0));

        Assert.Equal((StepStatus.InternalError, 1), (result.Nodes[0].Status, connector.Connects("node-a")));
    }

    [Fact]
    public async Task AtMostParallelNodesRunAtOnce()
    {
        int running = 0, most = 0;
        var result = await new FleetRunner(new CountingConnector(), reporter, Fast with { Parallel = 2 }).RunAsync(Nodes(6), async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (reporter)
                most = Math.Max(most, now);
            await Task.Delay(200, ct);
            Interlocked.Decrement(ref running);
            return 0;
        });

        Assert.Equal(6, result.Succeeded);
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task CancellingStopsTheRunAsAnInterruptionWhateverTheStepThrew()
    {
        using var cts = new CancellationTokenSource();
        var runner = new FleetRunner(new CountingConnector(), reporter, Fast);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync<int>(Nodes(3), async (_, ct) =>
        {
            cts.Cancel();
            await Task.Yield();
            throw new TransportException("connection lost: the link went down as the user pressed Ctrl-C");
        }, cts.Token));
    }

    [Fact]
    public void TheTableAlignsColumnsAndTheCountLineNamesFailuresAndBugs()
    {
        var table = FleetTable.Render(["NODE", "RESULT"], [["node-a", "ok"], ["n", "FAILED: x"]]);
        Assert.Equal("NODE    RESULT\nnode-a  ok\nn       FAILED: x\n", table);
        Assert.Equal("1 ok, 2 failed: b, c (1 by an internal error: a bug in vz)", FleetTable.Counts(1, ["b", "c"], 1));
        Assert.Equal("3 ok, 0 failed", FleetTable.Counts(3, [], 0));
    }
}
