using System.Diagnostics;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Fleet;

/// <summary>
/// Pushes cut at random moments by real faults on a harness node (its link taken down, or its
/// sshd sessions killed), then retried: every retry must load the right image, no attempt may
/// leave a wrong image or an unverified current archive, and the running container stays up.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class CutTransferTests(FleetImages images, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    const int Cuts = 20;
    readonly ScratchDir cache = new("fleet-cuts");

    /// <summary>Kills every sshd session process on the node (not the listener): the connection drops mid-call.</summary>
    static Task KillSessionsAsync(TestNode node) =>
        // No shell around pkill: its own command line would match the pattern.
        VzNode.TryRunAsync(["exec", node.Name, "pkill", "-f", "^sshd: .*@"], timeout: TimeSpan.FromSeconds(30));

    async Task LinkFlapAsync(TestNode node, TimeSpan down)
    {
        await node.LinkDownAsync();
        await Task.Delay(down);
        await node.LinkUpAsync();
    }

    /// <summary>What must hold after any attempt, cut or not: every image the node has is one we built, whole.</summary>
    static async Task AssertNoWrongImageAsync(TestNode node, IReadOnlyList<BuiltImage> built, string step)
    {
        foreach (var (name, digest) in await NodeState.ImagesAsync(node, built[0].Name.Split(':')[0]))
            Assert.True(built.Any(b => b.Name == name && b.ManifestDigest == digest), $"{step}: node has {name} with digest {digest}");
        Assert.Equal("", await NodeState.ExecAsync(node, "podman images --filter dangling=true -q"));
        var (link, sha) = await NodeState.CurrentAsync(node, built[0]);
        Assert.True(link == $"sha256-{sha}.tar" && built.Any(b => b.Sha256 == sha), $"{step}: current -> {link} holds sha256 {sha}");
    }

    static Task<string> KeeperStateAsync(TestNode node) =>
        NodeState.ExecAsync(node, "podman inspect --format '{{.State.Running}} {{.State.StartedAt}} {{.RestartCount}}' vz-keeper");

    [Fact]
    public async Task TwentyRandomCutsEachRetriedLoadTheRightImageWhileThePreviousVersionKeepsRunning()
    {
        var clock = Stopwatch.StartNew();
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        string[] once = ["--retries", "0"];

        Assert.True((await push.PushAsync(images.SmallA, node, once)).ExitCode == 0);
        await NodeState.ExecAsync(node, $"podman run -d --name vz-keeper {images.SmallA.Name} /usr/bin/python3.11 -c 'import time; time.sleep(1e6)'");
        var keeper = await KeeperStateAsync(node);
        Assert.StartsWith("true ", keeper);

        // Cuts land while the push is on the wire: from its first ssh session to its exit, timed
        // here on an uncut push over a link slowed to a small VPS's.
        await ThrottleAsync(node, "200mbit");
        var timed = push.PushAsync(images.SmallB, node, once);
        var onWire = await OnWireAsync(node, timed);
        Assert.True((await timed).ExitCode == 0);
        var span = onWire.Elapsed;
        List<BuiltImage> built = [images.SmallA, images.SmallB];

        var seed = Environment.GetEnvironmentVariable("VZ_CUT_SEED") is { Length: > 0 } s ? int.Parse(s) : 20261125;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, uncut push on the wire for {span.TotalSeconds:0.00}s");
        int cuts = 0, failedAttempts = 0;
        for (var round = 0; cuts < Cuts; round++)
        {
            Assert.True(round < 3 * Cuts && clock.Elapsed < TimeSpan.FromMinutes(3.5), $"only {cuts} cuts landed in {round} rounds, {clock.Elapsed}");
            // A new version each round, as a release would be: the node holds none of it yet.
            var next = images.NextSmall(100 + round);
            built.Add(next);
            string[] args = random.Next(3) == 0 ? [.. once, "--delta"] : once;
            var at = span * random.NextDouble();
            var byLink = random.Next(2) == 0;

            var attempt = push.PushAsync(next, node, args);
            await OnWireAsync(node, attempt);
            if (await Task.WhenAny(attempt, Task.Delay(at)) != attempt)
            {
                if (byLink)
                    await LinkFlapAsync(node, TimeSpan.FromMilliseconds(200 + random.Next(1300)));
                else
                    await KillSessionsAsync(node);
                cuts++;
            }
            var first = await attempt;
            if (first.ExitCode != 0)
                failedAttempts++;
            var step = $"round {round} ({(byLink ? "link down" : "sessions killed")} at {at.TotalMilliseconds:0} ms, {string.Join(' ', args)})";
            await AssertNoWrongImageAsync(node, built, step + " after the cut attempt");

            var tries = 0;
            var last = first;
            while (last.ExitCode != 0 && tries++ < 3)
            {
                last = await push.PushAsync(next, node, args);
                await AssertNoWrongImageAsync(node, built, $"{step}, retry {tries}");
            }
            Assert.True(last.ExitCode == 0, $"{step}: not done after {tries} retries: {last}");
            output.WriteLine($"{step}: first attempt exit {first.ExitCode}, {tries} retries, {last[node].Mode}, resumed at {last[node].ResumedFrom}");
            await NodeState.AssertHoldsAsync(node, next);
            Assert.Equal(keeper, await KeeperStateAsync(node));
            // Old releases go, as on a real node, so twenty of them fit its 1 GB disk. (The time bound
            // above only stops a hang; a round takes 3–5 s here, the whole test about 100 s.)
            if (built.Count > 4)
            {
                await NodeState.ExecAsync(node, $"podman rmi {built[^3].Name} >/dev/null");
                File.Delete(built[^3].Archive);
            }
        }
        output.WriteLine($"{cuts} cuts ({failedAttempts} broke the attempt) in {clock.Elapsed.TotalSeconds:0}s");
        // Killed sessions break an attempt; a short link outage is often ridden out by TCP.
        Assert.True(failedAttempts >= Cuts / 4, $"only {failedAttempts} of {cuts} cuts broke a push");
    }

    /// <summary>Waits until the push has an ssh session on the node (or has ended); the clock runs from then.</summary>
    static async Task<Stopwatch> OnWireAsync(TestNode node, Task push)
    {
        while (!push.IsCompleted)
        {
            var r = await VzNode.TryRunAsync(["exec", node.Name, "pgrep", "-f", "^sshd: .*@"], timeout: TimeSpan.FromSeconds(30));
            if (r.Ok)
                break;
            await Task.Delay(10);
        }
        return Stopwatch.StartNew();
    }

    /// <summary>
    /// Shapes what the master sends to the node: a token bucket on the host end of its veth (the
    /// kernel here has no ingress policing for the node's end). The veth goes with the node.
    /// </summary>
    static async Task ThrottleAsync(TestNode node, string rate)
    {
        var links = await ProcessRunner.RunAsync(new ProcessSpec("ip", ["-o", "link"]));
        var hostEnd = links.StdOut.Split('\n').Where(l => l.Contains($"link-netns vz-{node.Name}"))
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).SingleOrDefault()
            ?? throw new InvalidOperationException($"no host veth for {node.Name} in: {links.StdOut}");
        var tc = await ProcessRunner.RunAsync(new ProcessSpec("tc", ["qdisc", "replace", "dev", hostEnd, "root", "tbf", "rate", rate, "burst", "64kb", "latency", "400ms"]));
        Assert.True(tc.Ok, $"tc on {hostEnd}: {tc.StdErr}");
    }

    /// <summary>Cuts a push once its upload has put at least minBytes into a .part on the node; returns the .part path.</summary>
    static async Task<string> CutMidUploadAsync(TestNode node, BuiltImage image, Task<PushRun> push, long minBytes)
    {
        var incoming = NodeState.StoreDir(image) + "/.incoming";
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !push.IsCompleted)
        {
            var line = await NodeState.ExecAsync(node, $"for f in {incoming}/*.part; do [ -f \"$f\" ] && echo \"$(stat -c %s \"$f\") $f\"; done; true");
            var part = line.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).FirstOrDefault(p => long.Parse(p[0]) >= minBytes);
            if (part is not null)
            {
                await KillSessionsAsync(node);
                return part[1];
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException("the upload finished or stalled before it could be cut");
    }

    [Fact]
    public async Task UploadCutMidwayResumesWhatArrivedAndACorruptedPartialIsDiscardedNotResumed()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        string[] once = ["--retries", "0"];
        // The link is slowed so the upload lasts long enough to be caught in the middle.
        await ThrottleAsync(node, "40mbit");

        var cut = push.PushAsync(images.SmallA, node, once);
        var part = await CutMidUploadAsync(node, images.SmallA, cut, 2_000_000);
        Assert.NotEqual(0, (await cut).ExitCode);
        var resumed = await push.PushAsync(images.SmallA, node, once);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.True(resumed[node].ResumedFrom >= 2_000_000, $"resumed at {resumed[node].ResumedFrom}, {part} had at least 2 MB");
        Assert.Equal(images.SmallA.ManifestDigest, await NodeState.DigestAsync(node, images.SmallA.Name));

        cut = push.PushAsync(images.SmallB, node, once);
        part = await CutMidUploadAsync(node, images.SmallB, cut, 2_000_000);
        Assert.NotEqual(0, (await cut).ExitCode);
        await NodeState.ExecAsync(node, $"printf 'vz' | dd of={part} bs=1 seek=1000000 conv=notrunc status=none");
        var repaired = await push.PushAsync(images.SmallB, node, once);

        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Equal(0, repaired[node].ResumedFrom);
        await NodeState.AssertHoldsAsync(node, images.SmallB);
    }

    public void Dispose() => cache.Dispose();
}
