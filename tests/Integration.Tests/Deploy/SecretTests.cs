using System.Security.Cryptography;
using System.Text;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Deploy;

/// <summary>A secret's value reaches the pod and nothing else: no command line, no other file, no log.</summary>
public sealed class SecretTests(ITestOutputHelper output)
{
    const int Port = 18080;

    /// <summary>
    /// Every process's command line, read again and again from the host's /proc while the deploy runs:
    /// the host's pid namespace sees every node's processes too, and vzbuild's own.
    /// </summary>
    sealed class CmdlineWatch : IAsyncDisposable
    {
        readonly byte[] needle;
        readonly CancellationTokenSource stop = new();
        readonly Task loop;
        public int Scans;
        public readonly List<string> Hits = [];

        public CmdlineWatch(string value)
        {
            needle = Encoding.UTF8.GetBytes(value);
            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
                    {
                        byte[] cmdline;
                        try { cmdline = File.ReadAllBytes(Path.Combine(dir, "cmdline")); }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                        if (cmdline.AsSpan().IndexOf(needle) >= 0)
                            lock (Hits)
                                Hits.Add($"{Path.GetFileName(dir)}: {Encoding.UTF8.GetString(cmdline).Replace('\0', ' ')}");
                    }
                    Scans++;
                    await Task.Delay(20);
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    [Fact]
    public async Task ASecretsValueIsOnTheNodeOnlyInItsStoreAndInNoCommandLineDuringTheDeploy()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]));
        using var outside = new ScratchDir("deploy-secret");
        var value = "s3cr3t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var secretFile = outside.Write("db-password", value);
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, Port,
            securityContext: "\n  securityContext:\n    runAsUser: 0",
            extraMounts: "\n        - name: db\n          mountPath: /run/secrets/db\n          readOnly: true",
            extraVolumes: "\n    - name: db\n      secret:\n        secretName: db"));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, Port, "web"), $"rollout:\n  canary: 0\nsecrets:\n  db:\n    password: {{ file: {secretFile} }}\n");

        DeployRun run;
        CmdlineWatch watch;
        await using (watch = new CmdlineWatch(value))
            run = await fleet.DeployAsync();
        output.WriteLine($"{watch.Scans} scans of every /proc/*/cmdline during the deploy");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(watch.Scans > 20, $"only {watch.Scans} scans");
        Assert.Empty(watch.Hits);
        Assert.DoesNotContain(value, run.Process.StdOut + run.Process.StdErr);

        foreach (var node in nodes.Nodes)
        {
            // Every file of the node but kernel filesystems (the harness's fully visible proc at /run/vz-fullproc too).
            var needle = Encoding.UTF8.GetBytes(value + "\n");
            var files = await node.SshAsync("grep -rlF -f /dev/stdin --exclude-dir=proc --exclude-dir=vz-fullproc --exclude-dir=sys --exclude-dir=dev / 2>/dev/null; true", needle, TimeSpan.FromMinutes(3));
            Assert.Equal("/root/.vz/secrets/web/db/password", files.StdOut.Trim());
            var journal = await node.SshAsync("journalctl --no-pager -o export | grep -cF -f /dev/stdin; true", needle);
            Assert.Equal("0", journal.StdOut.Trim());
            Assert.Equal("400 root\n500 root", await NodeState.ExecAsync(node, "stat -c '%a %U' /root/.vz/secrets/web/db/password /root/.vz/secrets/web/db"));
            Assert.Equal(value, await NodeState.ExecAsync(node, "podman exec web-app /bin/busybox cat /run/secrets/db/password"));
        }

        // A new value is a new release: the pod restarts with it.
        var rotated = "r0t4t3d-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(secretFile, rotated);
        var again = await fleet.DeployAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["updated", "updated"], new[] { "n1", "n2" }.Select(again.NodeOutcome));
        foreach (var node in nodes.Nodes)
            Assert.Equal(rotated, await NodeState.ExecAsync(node, "podman exec web-app /bin/busybox cat /run/secrets/db/password"));
    }
}
