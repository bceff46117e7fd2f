using Vz.Cli.Commands;
using Vz.Deploy.Push;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Integration.Tests.Push;

/// <summary>vzbuild push against real OpenSSH sshd nodes on loopback, loading into the real podman.</summary>
public sealed class PushTests(TestImages images, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TestImages>, IDisposable
{
    readonly string cache = Directory.CreateTempSubdirectory("vz-deploy-cache-").FullName;
    readonly List<SshdNode> nodes = [];

    SshdNode NewNode()
    {
        var n = new SshdNode();
        nodes.Add(n);
        return n;
    }

    PushOptions Options(string archive, bool delta = false) =>
        new(archive) { Delta = delta, CacheDir = cache, Retries = 0, RetryDelay = TimeSpan.FromMilliseconds(100) };

    static SshOptions Ssh(SshdNode node, bool acceptNew = false) =>
        new() { KnownHostsFile = node.KnownHosts, IdentityFiles = [node.ClientKey], ConfigFile = "/dev/null", AcceptNew = acceptNew };

    async Task<PushReport> Push(SshdNode node, PushOptions options, IReporter? reporter = null, INodeConnector? connector = null)
    {
        var report = await new Pusher(connector ?? new SshConnector(Ssh(node)), reporter ?? new TimingReporter(output)).PushAsync(options, [node.Target()]);
        output.WriteLine(PushSummary.Table(report) + string.Join("\n", report.Nodes.SelectMany(n => n.Notes)));
        return report;
    }

    // Node state is read over SSH, as from any node, not from the loopback node's files.
    async Task<string> OnNode(SshdNode node, string command)
    {
        await using var t = await new SshConnector(Ssh(node)).ConnectAsync(node.Target(), CancellationToken.None);
        return (await t.ExecAsync(command, CancellationToken.None)).StdOut.Trim();
    }

    string NodeDir(SshdNode node) => $"{Sh.Path(node.Settings.Store)}/{Sh.Quote(ImageArchive.StoreNameOf(images.Name("v1")))}";

    Task<string> NodeLink(SshdNode node, string link) => OnNode(node, $"readlink {NodeDir(node)}/{link}");

    Task<string> NodeCurrent(SshdNode node) => NodeLink(node, "current");

    Task<string> NodePrevious(SshdNode node) => NodeLink(node, "previous");

    async Task<bool> LoadedOnNode(SshdNode node, string tag) =>
        await OnNode(node, $"env {string.Join(' ', node.Settings.Env.Select(kv => Sh.Quote($"{kv.Key}={kv.Value}")))} podman image exists {Sh.Quote(images.Name(tag))} && echo yes") == "yes";

    static string ArchiveFile(string archive) => NodeScripts.ArchiveFile(ImageArchive.Sha256Of(archive));

    [Fact]
    public async Task PushLoadsTheImageIntoPodmanAndRecordsItAsCurrent()
    {
        var node = NewNode();
        images.Unload("v1");

        var report = await Push(node, Options(images.V1));

        var r = Assert.Single(report.Nodes);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.FullZstd, r.Mode);
        Assert.True(await LoadedOnNode(node, "v1"), "podman on the node has no image after the push");
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(node));
        Assert.Equal("", await OnNode(node, $"ls -A {NodeDir(node)}/.incoming"));
        Assert.True(File.Exists(Path.Combine(cache, "sha256", ImageArchive.Sha256Of(images.V1) + ".tar")), "pushed archive not cached");

        var again = await Push(node, Options(images.V1, delta: true));
        Assert.Equal(PushMode.Unchanged, again.Nodes[0].Mode);
        Assert.Equal(0, again.Nodes[0].BytesSent);
    }

    [Fact]
    public async Task SecondPushOfAOneFileChangeGoesAsAMuchSmallerDelta()
    {
        var node = NewNode();
        var first = await Push(node, Options(images.V1, delta: true));
        Assert.True(first.Nodes[0].Ok, first.Nodes[0].Error);
        images.Unload("v2");

        var second = await Push(node, Options(images.V2, delta: true));

        var r = second.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Delta, r.Mode);
        Assert.True(r.BytesSent * 100 < first.Nodes[0].BytesSent, $"delta sent {r.BytesSent} B, full sent {first.Nodes[0].BytesSent} B");
        Assert.True(await LoadedOnNode(node, "v2"));
        Assert.Equal(ArchiveFile(images.V2), await NodeCurrent(node));
        Assert.Equal(ArchiveFile(images.V1), await NodePrevious(node));

        // A third version keeps v2 for rollback and prunes v1.
        var third = await Push(node, Options(images.Big));
        Assert.True(third.Nodes[0].Ok, third.Nodes[0].Error);
        Assert.Equal(new[] { ArchiveFile(images.Big), ArchiveFile(images.V2) }.Order(),
            (await OnNode(node, $"cd {NodeDir(node)} && ls sha256-*.tar")).Split('\n').Order());
        Assert.Equal(ArchiveFile(images.V2), await NodePrevious(node));
    }

    [Fact]
    public async Task ATinyImageUnderXdelta3sSmallestWindowStillGoesAsADelta()
    {
        // xdelta3 refuses -B below 524288: a window sized to a 30 KB archive failed to encode.
        Assert.True(new FileInfo(images.Tiny1).Length < PushPlanner.MinSourceWindow, $"{images.Tiny1} is not tiny");
        var node = NewNode();
        var first = await Push(node, Options(images.Tiny1, delta: true));
        Assert.True(first.Nodes[0].Ok, first.Nodes[0].Error);
        images.Unload("tiny2");

        var second = await Push(node, Options(images.Tiny2, delta: true));

        var r = second.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Delta, r.Mode);
        Assert.DoesNotContain(r.Notes, n => n.Contains("xdelta3", StringComparison.Ordinal) && n.Contains("encode", StringComparison.Ordinal));
        Assert.True(await LoadedOnNode(node, "tiny2"));
        Assert.Equal(ArchiveFile(images.Tiny2), await NodeCurrent(node));
    }

    [Fact]
    public async Task GarbageLeftInAPartialUploadIsDiscardedNotResumed()
    {
        var node = NewNode();
        await OnNode(node, $"mkdir -p {NodeDir(node)}/.incoming && head -c 100000 /dev/zero > {NodeDir(node)}/.incoming/{ImageArchive.Sha256Of(images.V1)}.tar.zst.part");

        var report = await Push(node, Options(images.V1));

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(0, r.ResumedFrom);
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(node));
    }

    [Fact]
    public async Task CorruptedDeltaIsCaughtAndRepairedByAFullUpload()
    {
        var node = NewNode();
        Assert.True((await Push(node, Options(images.V1, delta: true))).Nodes[0].Ok);
        var corrupting = new CorruptingConnector(new SshConnector(Ssh(node)), path => path.Contains(".vcdiff"));

        var report = await Push(node, Options(images.V2, delta: true), connector: corrupting);

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(1, corrupting.Corrupted);
        Assert.Equal(PushMode.FullZstd, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("delta failed verification"));
        Assert.Equal(ArchiveFile(images.V2), await NodeCurrent(node));
        Assert.StartsWith(ImageArchive.Sha256Of(images.V2), await OnNode(node, $"sha256sum < {NodeDir(node)}/{ArchiveFile(images.V2)}"));
    }

    [Fact]
    public async Task CorruptedFullUploadIsSentAgainAndTheBadCopyNeverLoaded()
    {
        var node = NewNode();
        var corrupting = new CorruptingConnector(new SshConnector(Ssh(node)), path => path.Contains(".tar.zst"));

        var report = await Push(node, Options(images.V1), connector: corrupting);

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(1, corrupting.Corrupted);
        Assert.Contains(r.Notes, n => n.Contains("payload had sha256"));
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(node));
    }

    [Fact]
    public async Task InterruptedUploadResumesFromWhatArrivedAndCompletes()
    {
        var node = NewNode();
        var killer = new KillAtProgress(node, fraction: 0.4);

        var broken = await Push(node, Options(images.Big), killer);
        Assert.False(broken.Nodes[0].Ok, "the push survived a dead sshd?");
        Assert.True(killer.Killed);
        node.Start();

        var resumed = await Push(node, Options(images.Big));

        var r = resumed.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.True(r.ResumedFrom > 0, "the retry started over instead of resuming");
        // The payload is random bytes (zstd cannot shrink it), and the link died at 40%: a resumed
        // upload sends well under the whole archive.
        var size = new FileInfo(images.Big).Length;
        Assert.True(r.BytesSent < size * 0.75, $"resumed push sent {r.BytesSent} of {size} B");
        Assert.Equal(NodeScripts.ArchiveFile(ImageArchive.Sha256Of(images.Big)), await NodeCurrent(node));
    }

    [Fact]
    public async Task LinkDroppedMidUploadIsRetriedWithinThePushAndResumed()
    {
        var node = NewNode();
        var killer = new KillAtProgress(node, fraction: 0.5, restart: true);

        var report = await Push(node, Options(images.Big) with { Retries = 2 }, killer);

        var r = report.Nodes[0];
        Assert.True(killer.Killed);
        Assert.True(r.Ok, r.Error);
        Assert.True(r.ResumedFrom > 0, "the retry started over instead of resuming");
        Assert.Contains(r.Notes, n => n.StartsWith("resumed"));
        Assert.Equal(NodeScripts.ArchiveFile(ImageArchive.Sha256Of(images.Big)), await NodeCurrent(node));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task EachKeyTypeAuthenticatesAndItsHostKeyIsCheckedAgainstKnownHosts(string keyType)
    {
        var node = new SshdNode("keys", keyType);
        nodes.Add(node);

        await using var t = await new SshConnector(Ssh(node)).ConnectAsync(node.Target(), CancellationToken.None);
        var r = await t.ExecAsync("echo hello from $(id -un)", CancellationToken.None);

        Assert.Equal($"hello from {Environment.UserName}", r.StdOut.Trim());
    }

    [Fact]
    public async Task UnknownHostIsRefusedWithoutAcceptNewAndRecordedWithIt()
    {
        var node = NewNode();
        File.WriteAllText(node.KnownHosts, "");

        var refused = await new Pusher(new SshConnector(Ssh(node)), new CollectingReporter()).PushAsync(Options(images.V1), [node.Target()]);
        Assert.False(refused.Nodes[0].Ok);
        Assert.Contains("VZ3010", refused.Nodes[0].Error);
        Assert.Contains(Fingerprint(node.HostKey), refused.Nodes[0].Error);
        Assert.Equal("", File.ReadAllText(node.KnownHosts));

        var accepted = await new Pusher(new SshConnector(Ssh(node, acceptNew: true)), new CollectingReporter()).PushAsync(Options(images.V1), [node.Target()]);
        Assert.True(accepted.Nodes[0].Ok, accepted.Nodes[0].Error);
        var recorded = KnownHosts.Load(node.KnownHosts);
        var hostKey = Convert.FromBase64String(File.ReadAllText(node.HostKey + ".pub").Split(' ')[1]);
        Assert.Equal(HostKeyVerdict.Known, recorded.Check("127.0.0.1", node.Port, hostKey));
    }

    [Fact]
    public async Task ChangedHostKeyIsRefusedWithTheOfferedFingerprint()
    {
        var node = NewNode();
        var other = Path.Combine(node.Dir, "other_ed25519");
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other);
        var otherPub = File.ReadAllText(other + ".pub").Split(' ');
        File.WriteAllText(node.KnownHosts, $"[127.0.0.1]:{node.Port} {otherPub[0]} {otherPub[1]}\n");

        var report = await new Pusher(new SshConnector(Ssh(node, acceptNew: true)), new CollectingReporter()).PushAsync(Options(images.V1), [node.Target()]);

        var r = report.Nodes[0];
        Assert.False(r.Ok);
        Assert.Contains("VZ3011", r.Error);
        Assert.Contains("HOST KEY CHANGED", r.Error);
        Assert.Contains(Fingerprint(node.HostKey), r.Error);
        Assert.DoesNotContain(File.ReadAllText(node.HostKey + ".pub").Split(' ')[1], File.ReadAllText(node.KnownHosts));
    }

    [Fact]
    public async Task PushToThreeNodesWithOneUnreachableReportsTwoOkOneFailedAndExitsFour()
    {
        var a = NewNode();
        var b = NewNode();
        var dead = SshdNode.FreePort();
        var knownHosts = Path.Combine(a.Dir, "fleet_known_hosts");
        File.WriteAllText(knownHosts, File.ReadAllText(a.KnownHosts) + File.ReadAllText(b.KnownHosts));
        File.AppendAllText(Path.Combine(b.Dir, "authorized_keys"), File.ReadAllText(a.ClientKey + ".pub"));
        var inventory = Path.Combine(a.Dir, "hosts.ini");
        File.WriteAllText(inventory, $"""
            [web]
            node-a ansible_host=127.0.0.1 ansible_port={a.Port} vz_store={a.Store}
            node-b ansible_host=127.0.0.1 ansible_port={b.Port} vz_store={b.Store}
            [db]
            node-dead ansible_host=127.0.0.1 ansible_port={dead} vz_store={a.Store}-dead
            [fleet:children]
            web
            db
            [fleet:vars]
            vz_runtime=runc
            vz_cgroup_manager=cgroupfs
            vz_env_CONTAINERS_CONF={a.ContainersConf}
            """);
        var options = new PushCommand.PushCommandOptions([], inventory, "fleet", Json: true,
            Options(images.V1) with { Parallel = 3 },
            Ssh(a) with { KnownHostsFile = knownHosts },
            new NodeSettings());

        var reporter = new CollectingReporter();
        var exit = await PushCommand.RunAsync(options, reporter, CancellationToken.None);

        Assert.Equal(4, exit);
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(a));
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(b));
        Assert.False(Directory.Exists(a.Store + "-dead"));
    }

    [Fact]
    public async Task NodeWithoutXdelta3ZstdOrGzipAndNoVzpatchGetsPlainFullUploadsWithNotes()
    {
        var node = new SshdNode("bare", hideTools: ["xdelta3", "zstd", "gzip"]);
        nodes.Add(node);

        var first = await Push(node, Options(images.V1, delta: true));
        Assert.True(first.Nodes[0].Ok, first.Nodes[0].Error);
        Assert.Equal(PushMode.Full, first.Nodes[0].Mode);
        Assert.Equal(new FileInfo(images.V1).Length, first.Nodes[0].BytesSent);
        Assert.Contains(first.Nodes[0].Notes, n => n.Contains("no zstd"));

        var second = await Push(node, Options(images.V2, delta: true));
        Assert.True(second.Nodes[0].Ok, second.Nodes[0].Error);
        Assert.Equal(PushMode.Full, second.Nodes[0].Mode);
        Assert.Contains(second.Nodes[0].Notes, n => n.Contains("no xdelta3") && n.Contains("VZ_VZPATCH"));
        Assert.Equal(ArchiveFile(images.V2), await NodeCurrent(node));
    }

    PushOptions WithVzpatch(string archive, VzpatchBinary vzpatch) => Options(archive, delta: true) with { Vzpatch = vzpatch };

    /// <summary>A node whose PATH lacks xdelta3, holding a first version pushed with vzpatch available.</summary>
    async Task<(SshdNode Node, VzpatchBinary Vzpatch)> NodeWithoutXdelta3Holding(string name, string archive)
    {
        var vzpatch = VzpatchBinary.Of(await PublishedVzpatch.PathAsync());
        var node = new SshdNode(name, hideTools: ["xdelta3"]);
        nodes.Add(node);
        var first = await Push(node, WithVzpatch(archive, vzpatch));
        Assert.True(first.Nodes[0].Ok, first.Nodes[0].Error);
        return (node, vzpatch);
    }

    [Fact]
    public async Task NodeWithoutXdelta3GetsVzpatchOnceAndDeltasAppliedByIt()
    {
        var (node, vzpatch) = await NodeWithoutXdelta3Holding("noxdelta", images.Big);

        var second = await Push(node, WithVzpatch(images.Big2, vzpatch));

        var r = second.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.Delta, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("copying vzpatch"));
        // The delta is a few KB; the rest is the vzpatch binary, sent once.
        Assert.InRange(r.BytesSent, vzpatch.Size, vzpatch.Size + 64 * 1024);
        Assert.Equal(ArchiveFile(images.Big2), await NodeCurrent(node));
        Assert.StartsWith(ImageArchive.Sha256Of(images.Big2), await OnNode(node, $"sha256sum < {NodeDir(node)}/{ArchiveFile(images.Big2)}"));
        var vzDir = $"{Sh.Path(node.Settings.Store)}/.vz";
        Assert.Equal(vzpatch.FileName, await OnNode(node, $"ls -A {vzDir}"));
        Assert.StartsWith(vzpatch.Sha256, await OnNode(node, $"test -x {vzDir}/{vzpatch.FileName} && sha256sum < {vzDir}/{vzpatch.FileName}"));

        // Back to Big (kept on the node), drop Big2 there: Big2 again goes as a delta with the copy already there.
        Assert.Equal(PushMode.Kept, (await Push(node, WithVzpatch(images.Big, vzpatch))).Nodes[0].Mode);
        await OnNode(node, $"rm -f {NodeDir(node)}/{ArchiveFile(images.Big2)}");
        var third = await Push(node, WithVzpatch(images.Big2, vzpatch));
        Assert.True(third.Nodes[0].Ok, third.Nodes[0].Error);
        Assert.Equal(PushMode.Delta, third.Nodes[0].Mode);
        Assert.True(third.Nodes[0].BytesSent < 64 * 1024, $"second vzpatch delta sent {third.Nodes[0].BytesSent} B");
        Assert.DoesNotContain(third.Nodes[0].Notes, n => n.Contains("vzpatch"));
        Assert.Equal(ArchiveFile(images.Big2), await NodeCurrent(node));
    }

    [Fact]
    public async Task DeltaPlusVzpatchLargerThanTheFullUploadSendsTheFullUploadWithANote()
    {
        var (node, vzpatch) = await NodeWithoutXdelta3Holding("smallvzpatch", images.V1);

        var report = await Push(node, WithVzpatch(images.V2, vzpatch));

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.FullZstd, r.Mode);
        Assert.True(r.BytesSent < vzpatch.Size, $"full upload of {r.BytesSent} B should be under vzpatch's {vzpatch.Size} B");
        Assert.Contains(r.Notes, n => n.Contains("plus vzpatch") && n.Contains("not smaller"));
        Assert.Equal(ArchiveFile(images.V2), await NodeCurrent(node));
    }

    [Fact]
    public async Task VzpatchThatCannotRunOnTheNodeIsRemovedAndTheNodeGetsAFullUpload()
    {
        var (node, vzpatch) = await NodeWithoutXdelta3Holding("deadvzpatch", images.Big);
        var copy = $"{Sh.Path(node.Settings.Store)}/.vz/{vzpatch.FileName}";
        // As if the copy were damaged on the node's disk after it was verified: the probe still lists it.
        await OnNode(node, $"mkdir -p {Sh.Path(node.Settings.Store)}/.vz && printf '#!/bin/sh\\nexit 127\\n' > {copy} && chmod 755 {copy}");

        var report = await Push(node, WithVzpatch(images.Big2, vzpatch));

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(PushMode.FullZstd, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("vzpatch failed on the node (exit 127)") && n.Contains("copies it again"));
        Assert.Equal("", await OnNode(node, $"ls -A {Sh.Path(node.Settings.Store)}/.vz"));
        Assert.Equal(ArchiveFile(images.Big2), await NodeCurrent(node));
    }

    [Fact]
    public async Task CorruptedVzpatchUploadIsNeverInstalledAndTheNodeGetsAFullUpload()
    {
        var (node, vzpatch) = await NodeWithoutXdelta3Holding("badvzpatch", images.Big);
        var corrupting = new CorruptingConnector(new SshConnector(Ssh(node)), path => path.Contains("/.vz/vzpatch-"));

        var report = await Push(node, WithVzpatch(images.Big2, vzpatch), connector: corrupting);

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(1, corrupting.Corrupted);
        Assert.Equal(PushMode.FullZstd, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("uploaded vzpatch had sha256"));
        Assert.Equal("", await OnNode(node, $"ls -A {Sh.Path(node.Settings.Store)}/.vz"));
        Assert.Equal(ArchiveFile(images.Big2), await NodeCurrent(node));
    }

    [Fact]
    public async Task PushCommandFollowsAnSshConfigAliasAndUsesAnEncryptedKeyAfterItsPassphrase()
    {
        var node = NewNode();
        var key = Path.Combine(node.Dir, "locked_ed25519");
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-f", key);
        File.AppendAllText(Path.Combine(node.Dir, "authorized_keys"), File.ReadAllText(key + ".pub"));
        var config = Path.Combine(node.Dir, "ssh_config");
        File.WriteAllText(config, $"""
            Host vz-test-*
                HostName 127.0.0.1
                Port {node.Port}
                User {Environment.UserName}
                IdentityFile {key}
            """);
        var asked = new List<string>();
        var options = new PushCommand.PushCommandOptions(["vz-test-node"], null, null, Json: false,
            Options(images.V1),
            new SshOptions { ConfigFile = config, KnownHostsFile = node.KnownHosts, IdentityFiles = [], PassphrasePrompt = k => { asked.Add(k); return "s3cret"; } },
            node.Settings);

        var exit = await PushCommand.RunAsync(options, new TimingReporter(output), CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal([key], asked);
        Assert.Equal(ArchiveFile(images.V1), await NodeCurrent(node));
    }

    [Fact]
    public async Task PushWhereEveryNodeFailsExitsFive()
    {
        var node = NewNode();
        var dead = SshdNode.FreePort();
        var options = new PushCommand.PushCommandOptions([$"127.0.0.1:{dead}", $"{Environment.UserName}@127.0.0.1:{dead}"],
            null, null, Json: false, Options(images.V1), Ssh(node), node.Settings);

        Assert.Equal(5, await PushCommand.RunAsync(options, new CollectingReporter(), CancellationToken.None));
    }

    static string Fingerprint(string keyFile) =>
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "ssh-keygen", "-l", "-E", "sha256", "-f", keyFile + ".pub").StdOut.Split(' ')[1];

    public void Dispose()
    {
        foreach (var n in nodes)
            n.Dispose();
        try { Directory.Delete(cache, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Flips one byte in the first upload whose node path matches: a link that corrupts silently.</summary>
sealed class CorruptingConnector(INodeConnector inner, Func<string, bool> match) : INodeConnector
{
    internal int corrupted;
    public int Corrupted => corrupted;
    internal bool Matches(string path) => match(path);

    public async Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) =>
        new Transport(await inner.ConnectAsync(target, ct), this);

    sealed class Transport(INodeTransport inner, CorruptingConnector owner) : INodeTransport
    {
        public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) => inner.ExecAsync(command, ct);

        public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
        {
            if (!owner.Matches(remotePath) || Interlocked.CompareExchange(ref owner.corrupted, 1, 0) != 0)
            {
                await inner.UploadAsync(source, remotePath, remoteOffset, progress, ct);
                return;
            }
            var bytes = new MemoryStream();
            await source.CopyToAsync(bytes, ct);
            var buf = bytes.ToArray();
            buf[buf.Length / 2] ^= 0x5a;
            await inner.UploadAsync(new MemoryStream(buf), remotePath, remoteOffset, progress, ct);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Kills the node's sshd (and its sessions) once an upload passes a fraction of its size.</summary>
sealed class KillAtProgress(SshdNode node, double fraction, bool restart = false) : IReporter
{
    public bool Killed { get; private set; }
    public void Info(string message) { }
    public void Warn(string message) { }

    public void Progress(string task, long done, long total, string? status = null)
    {
        if (!Killed && total > 0 && status?.StartsWith("upload") == true && done >= total * fraction)
        {
            Killed = true;
            node.Stop();
            if (restart)
                node.Start();
        }
    }
}

/// <summary>Writes each status change with its time since the start, to see where a push spends time.</summary>
sealed class TimingReporter(Xunit.Abstractions.ITestOutputHelper output) : IReporter
{
    readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    string? last;
    public void Info(string message) => output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {message}");
    public void Warn(string message) => output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  warning: {message}");
    public void Progress(string task, long done, long total, string? status = null)
    {
        if (status == last)
            return;
        last = status;
        output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {task}: {status}");
    }
}
