using Vz.Deploy.Push;
using Vz.Deploy.Tests.Fakes;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Push;

/// <summary>
/// Push's fallbacks on a <see cref="LoopbackNode"/> (push's real shell commands, run by /bin/sh in a
/// directory) with a toy delta encoder: what integration tests show over real sshd, here in milliseconds.
/// </summary>
public sealed class PushFallbackTests : IDisposable
{
    readonly TestArchives archives = new();
    readonly TempDir cache = new("vz-unit-cache-");
    readonly TempDir local = new("vz-unit-local-");
    readonly CollectingReporter reporter = new();
    readonly List<LoopbackNode> nodes = [];

    LoopbackNode Node(bool xdelta3 = true)
    {
        var n = new LoopbackNode(xdelta3: xdelta3);
        nodes.Add(n);
        return n;
    }

    PushOptions Options(string archive, bool delta = true, VzpatchBinary? vzpatch = null) =>
        new(archive) { Delta = delta, CacheDir = cache.Path, Retries = 0, RetryDelay = TimeSpan.FromMilliseconds(10), Vzpatch = vzpatch };

    async Task<NodeResult> Push(LoopbackNode node, PushOptions options, INodeConnector? connector = null, FakeDeltaEncoder? encoder = null)
    {
        var report = await new Pusher(connector ?? node.Connector(), reporter, encoder ?? new FakeDeltaEncoder()).PushAsync(options, [node.Target]);
        return Assert.Single(report.Nodes);
    }

    /// <summary>A node that holds V1 as its current version, pushed in full.</summary>
    async Task<LoopbackNode> NodeHoldingV1(bool xdelta3 = true)
    {
        var node = Node(xdelta3);
        var first = await Push(node, Options(archives.V1));
        Assert.True(first.Ok, first.Error);
        Assert.Equal(PushMode.Full, first.Mode);
        return node;
    }

    /// <summary>The node holds this archive as current, whole (its sha256 checked), and podman loaded it.</summary>
    void AssertHolds(LoopbackNode node, string archive)
    {
        Assert.Equal(TestArchives.ArchiveFile(archive), node.Current(archives.StoreName));
        var stored = Path.Combine(node.StoreDir(archives.StoreName), TestArchives.ArchiveFile(archive));
        Assert.Equal(TestArchives.Sha(archive), ImageArchive.Sha256Of(stored));
        Assert.Contains(node.PodmanRuns, r => r == $"load -q -i {stored}");
        Assert.Empty(Directory.GetFiles(Path.Combine(node.StoreDir(archives.StoreName), ".incoming")));
    }

    /// <summary>V2's delta failed on the node for the reason the first note gives, and a full upload put V2 there.</summary>
    void AssertDeltaRepairedByAFullUpload(LoopbackNode node, NodeResult r, string why)
    {
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Full, r.Mode);
        Assert.Contains(r.Notes, n => n.StartsWith(why));
        Assert.Contains(r.Notes, n => n.Contains("delta failed verification"));
        AssertHolds(node, archives.V2);
    }

    /// <summary>A vzpatch for loopback nodes: a script that applies the toy delta.</summary>
    VzpatchBinary Vzpatch(string body = "exec fakedelta \"$@\"") =>
        VzpatchBinary.Of(local.Write("vzpatch", $"#!/bin/sh\n{body}\n"));

    [Fact]
    public async Task AFirstPushGoesFullAndTheNextAsASmallDeltaEachVerifiedLoadedAndRecorded()
    {
        var node = await NodeHoldingV1();
        AssertHolds(node, archives.V1);

        var r = await Push(node, Options(archives.V2));

        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Delta, r.Mode);
        Assert.InRange(r.BytesSent, 1, 1024);
        AssertHolds(node, archives.V2);
        Assert.Equal(TestArchives.ArchiveFile(archives.V1), new FileInfo(Path.Combine(node.StoreDir(archives.StoreName), "previous")).LinkTarget);
    }

    [Fact]
    public async Task ADeltaCorruptedInFlightFailsVerificationAndAFullUploadRepairsIt()
    {
        var node = await NodeHoldingV1();
        var link = new FaultyConnector(node.Connector()) { CorruptUploadTo = p => p.Contains(".vcdiff") };

        var r = await Push(node, Options(archives.V2), link);

        Assert.Equal(1, link.Corrupted);
        AssertDeltaRepairedByAFullUpload(node, r, "uploaded delta payload had sha256");
    }

    [Fact]
    public async Task ADeltaThatRebuildsTheWrongArchiveIsCaughtOnTheNodeAndAFullUploadRepairsIt()
    {
        var node = await NodeHoldingV1();

        var r = await Push(node, Options(archives.V2), encoder: new FakeDeltaEncoder { Wrong = true });

        AssertDeltaRepairedByAFullUpload(node, r, "rebuilt archive had sha256");
    }

    [Fact]
    public async Task ADamagedBaseOnTheNodeMakesTheDeltaFailAndAFullUploadRepairsIt()
    {
        var node = await NodeHoldingV1();
        var baseArchive = Path.Combine(node.StoreDir(archives.StoreName), TestArchives.ArchiveFile(archives.V1));
        using (var f = new FileStream(baseArchive, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Seek(4000, SeekOrigin.Begin);
            f.Write([0xff, 0xff, 0xff, 0xff]);
        }

        var r = await Push(node, Options(archives.V2));

        AssertDeltaRepairedByAFullUpload(node, r, "xdelta3 failed on the node (exit 6)");
    }

    [Fact]
    public async Task APartialUploadLeftOnTheNodeIsResumedFromWhatArrived()
    {
        var node = Node();
        var incoming = Directory.CreateDirectory(Path.Combine(node.StoreDir(archives.StoreName), ".incoming")).FullName;
        var part = Path.Combine(incoming, TestArchives.Sha(archives.V1) + ".tar.part");
        File.WriteAllBytes(part, File.ReadAllBytes(archives.V1)[..400_000]);

        var r = await Push(node, Options(archives.V1, delta: false));

        Assert.True(r.Ok, r.Error);
        Assert.Equal(400_000, r.ResumedFrom);
        Assert.Equal(new FileInfo(archives.V1).Length - 400_000, r.BytesSent);
        Assert.Contains(r.Notes, n => n.StartsWith("resumed full upload at"));
        AssertHolds(node, archives.V1);
    }

    [Fact]
    public async Task APartialUploadThatDoesNotMatchIsDiscardedNotResumed()
    {
        var node = Node();
        var incoming = Directory.CreateDirectory(Path.Combine(node.StoreDir(archives.StoreName), ".incoming")).FullName;
        File.WriteAllBytes(Path.Combine(incoming, TestArchives.Sha(archives.V1) + ".tar.part"), new byte[100_000]);

        var r = await Push(node, Options(archives.V1, delta: false));

        Assert.True(r.Ok, r.Error);
        Assert.Equal(0, r.ResumedFrom);
        Assert.Equal(new FileInfo(archives.V1).Length, r.BytesSent);
        AssertHolds(node, archives.V1);
    }

    [Fact]
    public async Task ALinkDroppedMidUploadIsRetriedOnAFreshConnectionAndResumes()
    {
        var node = Node();
        var link = new FaultyConnector(node.Connector()) { DropFirstUploadAfter = 300_000 };

        var r = await Push(node, Options(archives.V1, delta: false) with { Retries = 1 }, link);

        Assert.True(r.Ok, r.Error);
        Assert.Equal(2, link.Connects);
        Assert.Equal(300_000, r.ResumedFrom);
        Assert.Equal(new FileInfo(archives.V1).Length, r.BytesSent);
        Assert.Contains(reporter.Lines, l => l.StartsWith("warning: node-a: connection lost") && l.EndsWith("retrying (1/1)"));
        AssertHolds(node, archives.V1);
    }

    [Fact]
    public async Task ALinkStillBrokenAfterTheRetriesFailsTheNodeWithVZ3013()
    {
        var node = Node();
        var link = new FaultyConnector(node.Connector()) { DropFirstUploadAfter = 1000 };

        var r = await Push(node, Options(archives.V1, delta: false), link);

        Assert.False(r.Ok);
        Assert.False(r.InternalError);
        Assert.Equal(1, link.Connects);
        Assert.EndsWith("(VZ3013)", r.Error);
    }

    [Fact]
    public async Task ANodeWithoutXdelta3GetsVzpatchCopiedVerifiedAndAppliesTheDeltaWithIt()
    {
        var node = await NodeHoldingV1(xdelta3: false);
        var vzpatch = Vzpatch();

        var r = await Push(node, Options(archives.V2, vzpatch: vzpatch));

        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Delta, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("copying vzpatch"));
        Assert.InRange(r.BytesSent, vzpatch.Size, vzpatch.Size + 1024);
        var copy = Path.Combine(node.Home, ".vz", "images", ".vz", vzpatch.FileName);
        Assert.Equal(vzpatch.Sha256, ImageArchive.Sha256Of(copy));
        Assert.True((File.GetUnixFileMode(copy) & UnixFileMode.UserExecute) != 0);
        AssertHolds(node, archives.V2);
    }

    [Fact]
    public async Task AVzpatchCopyThatCannotRunIsRemovedAndTheNodeGetsAFullUpload()
    {
        var node = await NodeHoldingV1(xdelta3: false);
        var vzpatch = Vzpatch();
        // As if the verified copy were damaged on the node's disk: the probe still lists it.
        var copy = Path.Combine(Directory.CreateDirectory(Path.Combine(node.Home, ".vz", "images", ".vz")).FullName, vzpatch.FileName);
        File.WriteAllText(copy, "#!/bin/sh\nexit 127\n");
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);

        var r = await Push(node, Options(archives.V2, vzpatch: vzpatch));

        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Full, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("vzpatch failed on the node (exit 127)") && n.Contains("copies it again"));
        Assert.False(File.Exists(copy));
        AssertHolds(node, archives.V2);
    }

    [Fact]
    public async Task AVzpatchUploadCorruptedInFlightIsNeverInstalledAndTheNodeGetsAFullUpload()
    {
        var node = await NodeHoldingV1(xdelta3: false);
        var vzpatch = Vzpatch();
        var link = new FaultyConnector(node.Connector()) { CorruptUploadTo = p => p.Contains("/.vz/vzpatch-") };

        var r = await Push(node, Options(archives.V2, vzpatch: vzpatch), link);

        Assert.True(r.Ok, r.Error);
        Assert.Equal(1, link.Corrupted);
        Assert.Equal(PushMode.Full, r.Mode);
        Assert.Contains(r.Notes, n => n.StartsWith("uploaded vzpatch had sha256"));
        Assert.Empty(Directory.GetFiles(Path.Combine(node.Home, ".vz", "images", ".vz")));
        AssertHolds(node, archives.V2);
    }

    [Fact]
    public async Task RollingBackToTheKeptPreviousVersionUploadsNothing()
    {
        var node = await NodeHoldingV1();
        Assert.Equal(PushMode.Delta, (await Push(node, Options(archives.V2))).Mode);

        var back = await Push(node, Options(archives.V1));

        Assert.Equal((true, PushMode.Kept, 0L), (back.Ok, back.Mode, back.BytesSent));
        AssertHolds(node, archives.V1);
    }

    [Fact]
    public async Task AnInjectedBugIsAnInternalErrorNeverRetriedNorCalledConnectionLost()
    {
        var node = Node();
        var buggy = new FaultyConnector(node.Connector()) { ExecThrows = () => new InvalidOperationException("Sequence contains no elements") };

        var report = await new Pusher(buggy, reporter, new FakeDeltaEncoder())
            .PushAsync(Options(archives.V1) with { Retries = 2 }, [node.Target]);

        var r = Assert.Single(report.Nodes);
        Assert.False(r.Ok);
        Assert.True(r.InternalError);
        Assert.Equal(1, report.InternalErrors);
        Assert.Equal(1, buggy.Connects);
        Assert.StartsWith($"{InternalError.Preface}: System.InvalidOperationException: Sequence contains no elements", r.Error);
        Assert.DoesNotContain("connection lost", r.Error);
        Assert.DoesNotContain(reporter.Lines, l => l.Contains("retrying"));
        Assert.Null(node.Current(archives.StoreName));
    }

    public void Dispose()
    {
        foreach (var n in nodes)
            n.Dispose();
        archives.Dispose();
        cache.Dispose();
        local.Dispose();
    }
}
