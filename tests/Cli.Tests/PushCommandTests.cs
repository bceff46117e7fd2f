using Vz.Cli.Commands;
using Vz.Deploy.Push;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Oci;
using Vz.Oci.Tar;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>vzbuild push's exit code from what happened on the nodes, with the SSH connector replaced.</summary>
public sealed class PushCommandTests : IDisposable
{
    readonly TempDir dir = new("vz-cli-push-");

    /// <summary>A connector whose links run nothing: each command throws what the test says.</summary>
    sealed class ThrowingConnector(Func<Exception> fault) : INodeConnector
    {
        public int Connects;

        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
        {
            Interlocked.Increment(ref Connects);
            return Task.FromResult<INodeTransport>(new Link(fault));
        }

        sealed class Link(Func<Exception> fault) : INodeTransport
        {
            public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) => throw fault();
            public Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct) => throw fault();
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    PushCommand.PushCommandOptions Options(params string[] to)
    {
        var archive = dir["app.tar"];
        using (var fs = File.Create(archive))
            TarStreamWriter.WriteAll([TarEntry.ForData("index.json", OciJson.Serialize(new ImageIndex([new Descriptor(MediaTypes.Manifest, "sha256:00", 1)
            {
                Annotations = new Dictionary<string, string> { [Annotations.RefName] = "localhost/app:1" },
            }])), 0)], fs, 0);
        return new PushCommand.PushCommandOptions(to, null, null, Json: true,
            new PushOptions(archive) { CacheDir = dir["cache"], Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) },
            new SshOptions { ConfigFile = "/dev/null", KnownHostsFile = dir["known_hosts"], IdentityFiles = [] },
            new NodeSettings());
    }

    [Fact]
    public async Task ABugBehindTheTransportExitsWithTheInternalErrorCodeWithoutRetrying()
    {
        var connector = new ThrowingConnector(() => new InvalidOperationException("injected"));

        var exit = await PushCommand.RunAsync(Options("vz@node-a"), new CollectingReporter(), CancellationToken.None, connector);

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal(1, connector.Connects);
    }

    [Fact]
    public async Task ALinkThatStaysBrokenOnEveryNodeExitsAllFailedAfterTheRetries()
    {
        var connector = new ThrowingConnector(() => new TransportException("connection lost: injected"));

        var exit = await PushCommand.RunAsync(Options("vz@node-a", "vz@node-b"), new CollectingReporter(), CancellationToken.None, connector);

        Assert.Equal(ExitCodes.AllFailed, exit);
        Assert.Equal(6, connector.Connects);
    }

    [Fact]
    public async Task JsonIsTheDocumentedShapeWithTheExitCodeFirst()
    {
        var stdout = new StringWriter();
        var exit = await PushCommand.RunAsync(Options("vz@node-a"), new CollectingReporter(), CancellationToken.None,
            new ThrowingConnector(() => new TransportException("connection lost: injected")), stdout);

        JsonOutputTests.ShapedAsDocumented("vzbuild push --json", stdout.ToString());
        var doc = System.Text.Json.Nodes.JsonNode.Parse(stdout.ToString())!.AsObject();
        Assert.Equal(("exitCode", exit), (doc.First().Key, (int)doc["exitCode"]!));
    }

    public void Dispose() => dir.Dispose();
}
