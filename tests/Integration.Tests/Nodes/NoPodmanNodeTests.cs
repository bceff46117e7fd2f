namespace Vz.Integration.Tests.Nodes;

/// <summary>Nodes with runc and no podman: containers supervised by init alone.</summary>
public sealed class NoPodmanNodeTests
{
    /// <summary>An OCI bundle of the busybox rootfs on stdin, made by the node's own `runc spec`.</summary>
    const string MakeBundle = """
        mkdir -p /root/bundle/rootfs && tar -C /root/bundle/rootfs -xf - && cd /root/bundle && runc spec
        python3 - <<'EOF'
        import json
        c = json.load(open("config.json"))
        c["process"]["terminal"] = False
        c["linux"]["resources"]["memory"] = {"limit": 64 << 20}
        json.dump(c, open("config.json", "w"))
        EOF
        """;

    static string Run(string id, string args) => $"""
        cd /root/bundle && python3 - <<'EOF'
        import json
        c = json.load(open("config.json"))
        c["process"]["args"] = {args}
        json.dump(c, open("config.json", "w"))
        EOF
        runc run -b /root/bundle {id} 2>/dev/null; echo rc=$?
        """;

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task NodeWithoutPodmanRunsARuncBundleAndEnforcesItsMemoryLimit(NodeRelease release)
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Release = release, Kind = NodeKind.NoPodman });
        var node = fleet[0];

        var podman = await node.SshAsync("command -v podman");
        await node.SshCheckedAsync(MakeBundle, tar);
        var hello = await node.SshCheckedAsync(Run("hello", """["/bin/busybox", "echo", "hello-from-runc"]"""));
        var beyond = await node.SshCheckedAsync(Run("beyond", """["/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"]"""));

        Assert.Equal(1, podman.ExitCode);
        Assert.Equal("hello-from-runc\nrc=0\n", hello);
        Assert.Equal("rc=137\n", beyond);
        Assert.Equal(NodeKind.NoPodman, (await node.FactsAsync()).Kind);
    }
}
