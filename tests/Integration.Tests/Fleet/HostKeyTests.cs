using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Fleet;

/// <summary>vzbuild push's host key rules against real sshd on harness nodes.</summary>
[Collection(FleetCollection.Name)]
public sealed class HostKeyTests(FleetImages images) : IDisposable
{
    readonly ScratchDir dir = new("fleet-hostkeys");

    /// <summary>The SHA256 fingerprint ssh-keygen prints for a public key line.</summary>
    static string Fingerprint(string publicKeyLine)
    {
        var r = ProcessRunner.Run(new ProcessSpec("ssh-keygen", ["-l", "-f", "-"]) { StdIn = System.Text.Encoding.ASCII.GetBytes(publicKeyLine + "\n") });
        Assert.True(r.Ok, $"ssh-keygen -l: {r.StdErr}");
        return r.StdOut.Split(' ')[1];
    }

    [Fact]
    public async Task UnknownHostIsRefusedWithItsFingerprintUntilAcceptNewRecordsIt()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var knownHosts = dir.Write("known_hosts", "");
        var push = new PushCli(dir["cache"], knownHosts);
        var fingerprint = Fingerprint(await node.HostKeyAsync());

        var refused = await push.PushAsync(images.SmallA, node);

        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.Contains("VZ3010", refused[node].Error);
        Assert.Contains(fingerprint, refused[node].Error);
        Assert.Equal("", File.ReadAllText(knownHosts));
        Assert.Equal("", await NodeState.DigestAsync(node, images.SmallA.Name));

        var accepted = await push.PushAsync(images.SmallA, node, "--accept-new");

        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal($"{node.Ip} {await node.HostKeyAsync()}", File.ReadAllText(knownHosts).Trim());
        Assert.Equal(images.SmallA.ManifestDigest, await NodeState.DigestAsync(node, images.SmallA.Name));
        // Recorded: the next push needs no --accept-new.
        Assert.Equal(0, (await push.PushAsync(images.SmallB, node)).ExitCode);
    }

    [Fact]
    public async Task ChangedHostKeyIsRefusedWithTheNewFingerprintEvenWithAcceptNew()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var knownHosts = dir.Write("known_hosts", $"{node.Ip} {await node.HostKeyAsync()}\n");
        var push = new PushCli(dir["cache"], knownHosts);
        Assert.Equal(0, (await push.PushAsync(images.SmallA, node)).ExitCode);

        // The node is "rebuilt": a new host key, sshd restarted.
        await NodeState.ExecAsync(node, "rm -f /etc/ssh/ssh_host_ed25519_key* && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh");
        var newFingerprint = Fingerprint(await NodeState.ExecAsync(node, "cat /etc/ssh/ssh_host_ed25519_key.pub"));
        var before = File.ReadAllText(knownHosts);

        foreach (var extra in new[] { Array.Empty<string>(), ["--accept-new"] })
        {
            var run = await push.PushAsync(images.SmallB, node, extra);

            Assert.True(run.ExitCode == 5, run.ToString());
            Assert.Contains("VZ3011", run[node].Error);
            Assert.Contains("HOST KEY CHANGED", run[node].Error);
            Assert.Contains(newFingerprint, run[node].Error);
        }
        Assert.Equal(before, File.ReadAllText(knownHosts));
        Assert.Equal("", await NodeState.DigestAsync(node, images.SmallB.Name));
    }

    public void Dispose() => dir.Dispose();
}
