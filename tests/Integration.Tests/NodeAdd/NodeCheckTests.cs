using System.Text.Json;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.NodeAdd;

/// <summary>vzbuild node check on harness nodes of other kinds than node add leaves (root by the harness key).</summary>
public sealed class NodeCheckTests
{
    static Dictionary<string, string?> Environment => new()
    {
        ["VZ_KNOWN_HOSTS"] = VzNode.KnownHostsPath,
        ["VZ_SSH_IDENTITY"] = VzNode.SshKeyPath,
        ["VZ_SSH_CONFIG"] = "/dev/null",
        ["TERM"] = "dumb",
    };

    static Task<ProcessResult> CheckAsync(params string[] args) =>
        ProcessRunner.RunAsync(new ProcessSpec("dotnet", [Path.Combine(AppContext.BaseDirectory, "vzbuild.dll"), "node", "check", .. args])
        {
            Environment = Environment,
            Timeout = TimeSpan.FromMinutes(3),
        });

    [Fact]
    public async Task AReadyNodeIsReadyANodeWithRuncAndNoPodmanIsReadyForRuncPodsAndANodeWithVzpatchStillRunningIsNot()
    {
        await using var fleet = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Bookworm with { Kind = NodeKind.NoPodman }, NodeOptions.Trixie);
        var (ready, noPodman, busy) = (fleet[0], fleet[1], fleet[2]);
        // A vzpatch that never ended: what a cut push could leave behind.
        await busy.SshCheckedAsync("mkdir -p /tmp/vz && cp /bin/sleep /tmp/vz/vzpatch && (setsid /tmp/vz/vzpatch 600 >/dev/null 2>&1 &)");

        var r = await CheckAsync($"root@{ready.Ip}", $"root@{noPodman.Ip}", $"root@{busy.Ip}", "--json");

        Assert.True(r.ExitCode == 8, $"exit {r.ExitCode}\n{r.StdErr}\n{r.StdOut}");
        var nodes = JsonDocument.Parse(r.StdOut).RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.True(nodes[0].GetProperty("ready").GetBoolean(), nodes[0].ToString());
        Assert.Equal("4.3.1", nodes[0].GetProperty("podman").GetString());
        // No podman, runc: its test container ran with runc; ready for runc pods (issue 13).
        Assert.True(nodes[1].GetProperty("ready").GetBoolean(), nodes[1].ToString());
        Assert.Matches(@"^ok \([0-9.]+s, runc\)$", nodes[1].GetProperty("container").GetString());
        Assert.Contains("no podman: only runc pods (runtime: runc) can run here; deploy refuses podman pods", nodes[1].GetProperty("notes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["vzpatch running"], nodes[2].GetProperty("leftovers").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["left over: vzpatch running"], nodes[2].GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.StartsWith("ok (", nodes[2].GetProperty("container").GetString());
    }

    [Fact]
    public async Task TheTableNamesEveryNodeAndCountsTheReadyOnes()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var r = await CheckAsync($"root@{node.Ip}");
        var lines = r.StdErr.Split('\n');
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains(lines, l => l.StartsWith("NODE ") && l.Contains("TEST CONTAINER") && l.EndsWith("STATUS"));
        Assert.Contains(lines, l => l.StartsWith($"root@{node.Ip} ") && l.Contains(" root ok ") && l.EndsWith(" ready"));
        Assert.Contains("1 ready, 0 not ready", lines);
    }
}
