namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// Nodes of two generations: Debian 12 (podman 4.3, iptables) and Debian 13 (podman 5.4,
/// Quadlet, nftables), on a host whose cgroups are v1 plus an empty v2 mount (hybrid).
/// </summary>
public sealed class GenerationTests
{
    const int WebPort = 18080;

    static string KubeYaml(string image, string answer) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
          - name: httpd
            image: {{image}}
            command: ["/bin/busybox", "sh", "-c", "mkdir -p /www && echo {{answer}} > /www/index.html && exec /bin/busybox httpd -f -p 8080 -h /www"]
            ports:
            - containerPort: 8080
              hostPort: {{WebPort}}
        """;

    const string KubeUnit = """
        [Kube]
        Yaml=/etc/containers/systemd/web.yaml
        [Install]
        WantedBy=multi-user.target
        """;

    /// <summary>The page at the node's web port, retried while the pod comes up.</summary>
    static async Task<string> GetAsync(TestNode node, TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await http.GetStringAsync($"http://{node.Ip}:{WebPort}/");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task TrixieNodeRunsAPodFromAQuadletKubeUnitAndBringsItBackAfterReboot()
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(NodeOptions.Trixie);
        var node = fleet[0];
        await node.SshCheckedAsync("podman import - localhost/vz-busybox:quadlet >/dev/null", tar);
        await node.SshCheckedAsync($"""
            mkdir -p /etc/containers/systemd
            cat > /etc/containers/systemd/web.yaml <<'EOF'
            {KubeYaml("localhost/vz-busybox:quadlet", "hello-from-quadlet")}
            EOF
            cat > /etc/containers/systemd/web.kube <<'EOF'
            {KubeUnit}
            EOF
            """);

        await node.SshCheckedAsync("systemctl daemon-reload && systemctl start web.service");
        var first = await GetAsync(node, TimeSpan.FromSeconds(30));
        await node.RebootAsync();
        var afterReboot = await GetAsync(node, TimeSpan.FromSeconds(60));

        Assert.Equal("hello-from-quadlet\n", first);
        Assert.Equal("hello-from-quadlet\n", afterReboot);
        Assert.Equal("active\n", await node.SshCheckedAsync("systemctl is-active web.service"));
    }

    [Fact]
    public async Task AMixedFleetHasBothGenerationsEachWithItsOwnPodmanAndFirewallTool()
    {
        await using var fleet = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        const string probe = """
            . /etc/os-release; echo "$VERSION_CODENAME"
            podman --version
            test -x /usr/libexec/podman/quadlet && echo quadlet || echo no-quadlet
            command -v nft >/dev/null && echo nft || echo no-nft
            command -v iptables >/dev/null && echo iptables || echo no-iptables
            """;

        var bookworm = (await fleet[0].SshCheckedAsync(probe)).Split('\n');
        var trixie = (await fleet[1].SshCheckedAsync(probe)).Split('\n');

        Assert.Equal(["bookworm", "no-quadlet", "no-nft", "iptables"], [bookworm[0], .. bookworm[2..5]]);
        Assert.StartsWith("podman version 4.3.", bookworm[1]);
        Assert.Equal(["trixie", "quadlet", "nft", "no-iptables"], [trixie[0], .. trixie[2..5]]);
        Assert.StartsWith("podman version 5.4.", trixie[1]);
        Assert.Equal(NodeRelease.Bookworm, (await fleet[0].FactsAsync()).Release);
        Assert.Equal(NodeRelease.Trixie, (await fleet[1].FactsAsync()).Release);
    }

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task AContainerThatOutgrowsItsMemoryLimitIsKilled(NodeRelease release)
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Release = release });
        var node = fleet[0];
        await node.SshCheckedAsync("podman import - localhost/vz-busybox:mem >/dev/null", tar);
        // dd fills a buffer of bs bytes: the pages it touches count against the limit.
        const string run = "podman run --rm --memory 64m localhost/vz-busybox:mem /bin/busybox dd if=/dev/zero of=/dev/null bs={0}M count=1 2>/dev/null; echo rc=$?";

        var within = await node.SshCheckedAsync(string.Format(run, 16));
        var beyond = await node.SshCheckedAsync(string.Format(run, 100));

        Assert.Equal("rc=0\n", within);
        Assert.Equal("rc=137\n", beyond);
        Assert.Equal("v1", (await node.FactsAsync()).MemoryController);
    }

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task TheNodesMemoryCapCoversItsContainersWhichLiveInTheNodesOwnCgroups(NodeRelease release)
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Release = release, MemoryMb = 256 });
        var node = fleet[0];
        await node.SshCheckedAsync("podman import - localhost/vz-busybox:cap >/dev/null", tar);

        // No limit of its own: only the node's 256 MB stop it.
        var beyond = await node.SshCheckedAsync(
            "podman run --rm localhost/vz-busybox:cap /bin/busybox dd if=/dev/zero of=/dev/null bs=400M count=1 2>/dev/null; echo rc=$?");
        var initCgroups = await node.SshCheckedAsync("cat /proc/1/cgroup");

        Assert.Equal("rc=137\n", beyond);
        // The node's cgroup namespace starts at its own cgroups: the host's path never shows.
        Assert.DoesNotContain("vz-node-", initCgroups);
        Assert.Contains(":memory:/init.scope\n", initCgroups);
        Assert.Equal(256, (await node.FactsAsync()).MemoryCapMb);
    }
}
