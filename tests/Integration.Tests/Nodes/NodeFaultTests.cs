namespace Vz.Integration.Tests.Nodes;

/// <summary>The faults later tests inject: a vanished VPS, a reboot, a cut link, a full disk.</summary>
public sealed class NodeFaultTests
{
    const string BootUnit = """
        cat > /etc/systemd/system/vz-boot-marker.service <<'EOF'
        [Unit]
        Description=counts boots
        [Service]
        Type=oneshot
        ExecStart=/bin/sh -c 'echo boot >> /root/boots'
        [Install]
        WantedBy=multi-user.target
        EOF
        systemctl enable --quiet vz-boot-marker.service
        """;

    [Fact]
    public async Task UnitEnabledOnTheNodeRunsAgainAfterReboot()
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        await node.SshCheckedAsync(BootUnit);
        await node.SshCheckedAsync("echo kept > /home/marker; podman import - localhost/vz-busybox:reboot >/dev/null", tar);

        await node.RebootAsync();

        Assert.Equal("boot\n", await node.SshCheckedAsync("cat /root/boots"));
        Assert.Equal("kept\n", await node.SshCheckedAsync("cat /home/marker"));
        Assert.Contains("localhost/vz-busybox", await node.SshCheckedAsync("podman images --format '{{.Repository}}'"));
    }

    [Fact]
    public async Task StoppedNodeRefusesSshAndStartsAgainWithItsDisk()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        await node.SshCheckedAsync("echo kept > /root/marker");

        await node.StopAsync();
        var refused = await node.SshAsync("true");
        await node.StartAgainAsync();

        Assert.Equal(255, refused.ExitCode);
        Assert.Equal("kept\n", await node.SshCheckedAsync("cat /root/marker"));
    }

    [Fact]
    public async Task LinkDownBlocksSshAndLinkUpRestoresIt()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];

        await node.LinkDownAsync();
        var blocked = await node.SshAsync("true");
        await node.LinkUpAsync();
        var restored = await node.SshAsync("true");

        Assert.Equal(255, blocked.ExitCode);
        Assert.Equal(0, restored.ExitCode);
    }

    [Fact]
    public async Task FullDiskFailsWritesUntilUnfilled()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        const string write = "head -c 1048576 /dev/zero > /root/one-mib";

        await node.FillDiskAsync();
        var whenFull = await node.SshAsync(write);
        await node.UnfillDiskAsync();
        var afterUnfill = await node.SshAsync(write);

        Assert.NotEqual(0, whenFull.ExitCode);
        Assert.Contains("No space left on device", whenFull.StdErr);
        Assert.Equal(0, afterUnfill.ExitCode);
    }

    [Fact]
    public async Task MemoryCapKillsAProcessThatOutgrowsTheNode()
    {
        await using var fleet = await TestFleet.StartAsync(1, memoryMb: 256);
        var node = fleet[0];
        // The shell reports how python ended: 128 + 9 when the OOM killer took it.
        const string allocate = "python3 -c 'b = bytearray({0} << 20); print(len(b) >> 20)'; echo rc=$?";

        var small = await node.SshCheckedAsync(string.Format(allocate, 64));
        var large = await node.SshCheckedAsync(string.Format(allocate, 400));

        Assert.Equal("64\nrc=0\n", small);
        Assert.Equal("rc=137\n", large);
    }
}
