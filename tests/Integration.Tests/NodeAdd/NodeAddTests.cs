using System.Diagnostics;
using System.Security.Cryptography;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.NodeAdd;

/// <summary>
/// vzbuild node add and node check, run as the built CLI against fresh harness nodes (a VPS as
/// delivered: root with a password, no podman, xdelta3 or sudo; Debian 12 and 13), with the root
/// password piped in and the test's own key, known_hosts and inventory.
/// </summary>
public sealed class NodeAddTests(ITestOutputHelper output)
{
    static string NewPassword() => "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    static async Task<TestFleet> FreshAsync(NodeRelease release, string password) =>
        await TestFleet.StartAsync(new NodeOptions { Release = release, Kind = NodeKind.Fresh, RootPassword = password });

    static string Explain(ProcessResult r) => $"exit {r.ExitCode}\nstderr:\n{r.StdErr}\nstdout:\n{r.StdOut}";

    /// <summary>The error lines vzbuild printed (the one-line error and its hint).</summary>
    static string[] ErrorLines(ProcessResult r) =>
        r.StdErr.Split('\n').Where(l => l.StartsWith("vzbuild: ") || l.StartsWith("  hint: ")).ToArray();

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task AFreshNodeBecomesReadyWithThePasswordPipedInTakesKeysOnlyAndRunsADeployAsItsDeployUser(NodeRelease release)
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(release, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();

        var clock = Stopwatch.StartNew();
        var add = await cli.AddAsync(node, password, "--security-updates");
        var addTook = clock.Elapsed;
        Assert.True(add.ExitCode == 0, Explain(add));
        Assert.Contains("  note: no security updates pending\n", add.StdErr); // the node's package source has no security pocket
        Assert.Contains($"{node.Ip} is not in {cli.KnownHosts}; it offers the host key ssh-ed25519 SHA256:", add.StdErr);
        Assert.Contains("logged in as root (password)", add.StdErr);
        Assert.Contains("  changed: create user deploy\n", add.StdErr);
        Assert.Contains("  changed: password logins off", add.StdErr);
        Assert.Contains($"  inventory {cli.Inventory}: added {node.Ip} ansible_user=deploy to [web]\n", add.StdErr);
        Assert.EndsWith($"{node.Ip} is ready: key login as deploy, passwordless sudo, password logins off\n", add.StdErr);

        // The host key is recorded hashed: ssh finds it, the file does not show the address.
        var knownHosts = File.ReadAllText(cli.KnownHosts);
        Assert.StartsWith("|1|", knownHosts);
        Assert.DoesNotContain(node.Ip, knownHosts);
        Assert.Equal(0, ProcessRunner.Run(new ProcessSpec("ssh-keygen", ["-F", node.Ip, "-f", cli.KnownHosts])).ExitCode);

        // The inventory keeps its comments and order, with the node at the end of its group.
        Assert.Equal(NodeAddCli.InventoryBefore.Replace("ansible_user=ops\n", $"ansible_user=ops\n{node.Ip} ansible_user=deploy\n"), File.ReadAllText(cli.Inventory));

        var (check, checkedNode) = await cli.CheckAsync(node);
        Assert.True(check.ExitCode == 0, Explain(check));
        Assert.True(checkedNode.GetProperty("ready").GetBoolean(), checkedNode.ToString());
        Assert.Equal("deploy", checkedNode.GetProperty("user").GetString());
        Assert.StartsWith("ok (", checkedNode.GetProperty("container").GetString());
        Assert.Equal("xdelta3", checkedNode.GetProperty("delta").GetString());
        Assert.Equal(release == NodeRelease.Trixie, checkedNode.GetProperty("quadlet").GetBoolean());
        Assert.Empty(checkedNode.GetProperty("leftovers").EnumerateArray());

        // Password logins are refused, for root and for the deploy user; the key works, sudo too.
        var rootByPassword = await node.SshWithPasswordAsync("true", password);
        var deployByPassword = await node.SshWithPasswordAsync("true", password, user: "deploy");
        var byKey = await cli.SshWithKeyAsync(node, "deploy", "sudo -n id -u");
        Assert.Equal(255, rootByPassword.ExitCode);
        Assert.Contains("Permission denied (publickey)", rootByPassword.StdErr);
        Assert.Equal(255, deployByPassword.ExitCode);
        Assert.Equal((0, "0\n"), (byKey.ExitCode, byKey.StdOut));

        await DeployAsTheDeployUserAsync(fleet, cli, release);

        // A second run, after the deploy, finds nothing to do and says so.
        var again = await cli.AddAsync(node, password);
        Assert.True(again.ExitCode == 0, Explain(again));
        Assert.Contains("logged in as deploy (key, sudo)", again.StdErr);
        Assert.DoesNotContain("changed:", again.StdErr);
        Assert.Contains($"{node.Ip} is in [web] with ansible_user=deploy already", again.StdErr);
        Assert.EndsWith($"{node.Ip} was ready already: nothing changed on the node\n", again.StdErr);
        Assert.True(addTook < TimeSpan.FromMinutes(4), $"node add took {addTook}");
    }

    /// <summary>
    /// vzbuild deploy of the deploy tests' web app (tests/Integration.Tests/Deploy) with the operator's key
    /// and known_hosts node add used: rootless as its deploy user, with the linger node add enabled (bookworm: vz's own
    /// user unit, podman 4.3; trixie: a user's Quadlet unit, podman 5.4). The pod answers on the node's
    /// address (its port opened in the node's firewall through sudo), comes back from a restart of its
    /// unit and from a reboot of the node with its volume's data, diff says converged and a second deploy unchanged.
    /// No memory limit: rootless podman cannot enforce one on the harness's hybrid cgroups (refused, unit-tested).
    /// </summary>
    async Task DeployAsTheDeployUserAsync(TestFleet nodes, NodeAddCli cli, NodeRelease release)
    {
        const int port = 18080;
        var app = WebApp.Get();
        var node = nodes[0];
        using var fleet = new DeployFleet(nodes, new DeployFleet.OperatorLogin("deploy", cli.Key, cli.KnownHosts), ("web", [0]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, port, memory: null));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, port, "web", timeout: "60s"));

        var clock = Stopwatch.StartNew();
        var deploy = await fleet.DeployAsync();
        output.WriteLine($"{release}: deploy as deploy took {clock.Elapsed}: {deploy.Node("n1")}");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Equal("updated", deploy.NodeOutcome("n1"));
        Assert.Equal("opened 18080/tcp", deploy.Node("n1").GetProperty("firewall").GetString()); // through node add's sudo
        Assert.Equal("web v1", await Web.TryGetAsync(node, port));
        var unit = release == NodeRelease.Trixie ? ".config/containers/systemd/vz-web.kube" : ".config/systemd/user/vz-web.service";
        var asDeploy = await cli.SshWithKeyAsync(node, "deploy",
            $"test -f {unit} && podman pod exists web && loginctl show-user deploy --property=Linger && stat -c %U .vz/pods/web/current/pod.yaml");
        Assert.True(asDeploy.ExitCode == 0, Explain(asDeploy));
        Assert.Equal("Linger=yes\ndeploy\n", asDeploy.StdOut);

        var restart = await cli.SshWithKeyAsync(node, "deploy", "XDG_RUNTIME_DIR=/run/user/$(id -u) systemctl --user restart vz-web.service");
        Assert.True(restart.ExitCode == 0, Explain(restart));
        clock.Restart();
        Assert.Equal("web v1", await Web.WaitForAsync(node, port, "web v1", TimeSpan.FromSeconds(60)));
        output.WriteLine($"{release}: answering again {clock.Elapsed} after the unit's restart");
        Assert.Equal("web v1\nweb v1", await Web.TryGetAsync(node, port, "/starts")); // started twice, its volume kept

        // A reboot: nobody logs in, linger starts the deploy user's manager, which starts the enabled unit.
        await node.RebootAsync();
        clock.Restart();
        Assert.Equal("web v1", await Web.WaitForAsync(node, port, "web v1", TimeSpan.FromSeconds(120)));
        output.WriteLine($"{release}: answering again {clock.Elapsed} after the node's reboot");
        Assert.Equal("web v1\nweb v1\nweb v1", await Web.TryGetAsync(node, port, "/starts"));

        var diff = await fleet.VzbuildAsync("diff");
        Assert.True(diff.ExitCode == 0, Explain(diff));
        var again = await fleet.DeployAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("unchanged", again.NodeOutcome("n1"));
    }

    [Fact]
    public async Task AWrongPasswordEndsWithOneErrorLineAndChangesNothing()
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Bookworm, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();

        var add = await cli.AddAsync(node, "not-" + password);

        Assert.Equal(1, add.ExitCode);
        var error = Assert.Single(ErrorLines(add), l => l.StartsWith("vzbuild: "));
        Assert.Equal($"vzbuild: error VZ5003: {node.Ip}: root@{node.Ip}:22 refused the password and the keys; nothing was changed", error);
        Assert.DoesNotContain(password, add.StdErr + add.StdOut);
        await AssertUntouchedAsync(node, password);
    }

    [Fact]
    public async Task AnUnreachableNodeEndsWithOneErrorLine()
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Bookworm, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();
        await node.StopAsync();

        var clock = Stopwatch.StartNew();
        var add = await cli.AddAsync(node, password);

        Assert.Equal(1, add.ExitCode);
        var error = Assert.Single(ErrorLines(add), l => l.StartsWith("vzbuild: "));
        Assert.StartsWith($"vzbuild: error VZ3013: cannot reach {node.Ip}:22: ", error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.False(File.Exists(cli.KnownHosts));
        Assert.Equal(NodeAddCli.InventoryBefore, File.ReadAllText(cli.Inventory));
    }

    [Fact]
    public async Task AnotherDistributionsOsReleaseIsRefusedBeforeAnythingChanges()
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Bookworm, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();
        var centos = await File.ReadAllBytesAsync(Vz.Tests.RepoRoot.Combine("fixtures", "os-release", "centos-stream-9"));
        // /etc/os-release is a link to /usr/lib/os-release: replace the link, as another distribution ships it.
        var swap = await VzNode.TryRunAsync(["exec", node.Name, "sh", "-c", "rm /etc/os-release && cat > /etc/os-release"], centos);
        Assert.True(swap.Ok, swap.StdErr);

        var add = await cli.AddAsync(node, password);

        Assert.Equal(1, add.ExitCode);
        Assert.Equal(
            [
                $"vzbuild: error VZ5001: {node.Ip} runs CentOS Stream 9 (os-release ID=centos VERSION_ID=9), which node add does not support; nothing was changed",
                "  hint: supported: Debian 12 and 13, Ubuntu 22.04 and 24.04, Rocky Linux, AlmaLinux and RHEL 8 and 9",
            ],
            ErrorLines(add));
        await AssertUntouchedAsync(node, password);
        Assert.Equal(NodeAddCli.InventoryBefore, File.ReadAllText(cli.Inventory));
    }

    [Fact]
    public async Task AFailureInTheMiddleLeavesPasswordLoginOnAndARerunCompletes()
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Bookworm, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();
        await node.RepoHideAsync("podman");

        var failed = await cli.AddAsync(node, password);
        var stillByPassword = await node.SshWithPasswordAsync("true", password);
        var nothingInstalled = await node.SshWithPasswordAsync("dpkg-query -W podman sudo", password);
        var inventoryAfterFailure = File.ReadAllText(cli.Inventory);
        await node.RepoRestoreAsync();
        var rerun = await cli.AddAsync(node, password);

        Assert.Equal(1, failed.ExitCode);
        var error = Assert.Single(ErrorLines(failed), l => l.StartsWith("vzbuild: "));
        Assert.StartsWith($"vzbuild: error VZ5005: {node.Ip}: install podman, crun, ", error);
        Assert.EndsWith("E: Package 'podman' has no installation candidate", error);
        Assert.Equal(0, stillByPassword.ExitCode);
        Assert.NotEqual(0, nothingInstalled.ExitCode);
        Assert.Equal(NodeAddCli.InventoryBefore, inventoryAfterFailure);
        Assert.True(rerun.ExitCode == 0, Explain(rerun));
        Assert.Contains("logged in as root (password)", rerun.StdErr);
        Assert.EndsWith($"{node.Ip} is ready: key login as deploy, passwordless sudo, password logins off\n", rerun.StdErr);
        Assert.Equal(255, (await node.SshWithPasswordAsync("true", password)).ExitCode);
    }

    [Fact]
    public async Task WithoutAcceptNewAndNoTerminalToAskTheHostKeyIsShownAndRefused()
    {
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Bookworm, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();
        var fingerprint = ProcessRunner.Run(new ProcessSpec("ssh-keygen", ["-l", "-E", "sha256", "-f", "/dev/stdin"])
        {
            StdIn = System.Text.Encoding.ASCII.GetBytes(await node.HostKeyAsync() + "\n"),
        }).StdOut.Split(' ')[1];

        var add = await cli.RunAsync(["node", "add", node.Ip, "--user", "deploy", "--password-stdin", "-i", cli.Inventory], System.Text.Encoding.UTF8.GetBytes(password + "\n"));

        Assert.Equal(1, add.ExitCode);
        Assert.Contains($"{node.Ip} is not in {cli.KnownHosts}; it offers the host key ssh-ed25519 {fingerprint}\n", add.StdErr);
        Assert.Equal($"vzbuild: error VZ3010: the host key of {node.Ip} (ssh-ed25519 {fingerprint}) was not accepted; nothing was changed",
            Assert.Single(ErrorLines(add), l => l.StartsWith("vzbuild: ")));
        Assert.False(File.Exists(cli.KnownHosts));
        await AssertUntouchedAsync(node, password);
    }

    [Fact]
    public async Task ARootKeyWorksInsteadOfAPasswordAndOnlyWhatIsMissingIsInstalled()
    {
        // A ready harness node: root takes the harness key only, podman, xdelta3 and sudo are there.
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        using var cli = new NodeAddCli(key: node.SshKeyPath);

        var add = await cli.AddAsync(node, password: null);

        Assert.True(add.ExitCode == 0, Explain(add));
        Assert.Contains("logged in as root (key)", add.StdErr);
        var packages = add.StdErr.Split('\n').Single(l => l.StartsWith("  changed: install "));
        Assert.DoesNotContain(" podman", packages);
        Assert.DoesNotContain("xdelta3", packages);
        Assert.DoesNotContain("sudo", packages);
        Assert.Equal((0, "0\n"), await cli.SshWithKeyAsync(node, "deploy", "sudo -n id -u") is var r ? (r.ExitCode, r.StdOut) : default);
        Assert.Equal(0, (await cli.SshWithKeyAsync(node, "root", "true")).ExitCode); // root keeps its key
    }

    [Fact]
    public async Task AProviderDropInThatKeepsPasswordsOnIsNamedAndPasswordLoginStays()
    {
        // As some images ship (cloud-init's sshd_config.d/50-cloud-init.conf, here sorting before vz's 01-vz.conf).
        var password = NewPassword();
        await using var fleet = await FreshAsync(NodeRelease.Trixie, password);
        var node = fleet[0];
        using var cli = new NodeAddCli();
        await node.SshCheckedAsync("printf 'PasswordAuthentication yes\\n' > /etc/ssh/sshd_config.d/00-provider.conf");

        var add = await cli.AddAsync(node, password);
        var stillByPassword = await node.SshWithPasswordAsync("test ! -e /etc/ssh/sshd_config.d/01-vz.conf", password);
        await node.SshCheckedAsync("rm /etc/ssh/sshd_config.d/00-provider.conf");
        var rerun = await cli.AddAsync(node, password);

        Assert.Equal(1, add.ExitCode);
        var lines = ErrorLines(add);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"vzbuild: error VZ5007: {node.Ip}: password logins off (sshd: PasswordAuthentication no, PermitRootLogin prohibit-password): " +
            "sshd would still allow passwords (", lines[0]);
        Assert.Contains(" passwordauthentication yes ", lines[0]);
        Assert.EndsWith("); set in: /etc/ssh/sshd_config /etc/ssh/sshd_config.d/00-provider.conf; password login is unchanged", lines[0]);
        Assert.Equal("  hint: a setting read before vz's drop-in wins; change it in the file named and run node add again", lines[1]);
        Assert.Equal(0, stillByPassword.ExitCode);
        Assert.True(rerun.ExitCode == 0, Explain(rerun));
        Assert.Equal(["  changed: password logins off (sshd: PasswordAuthentication no, PermitRootLogin prohibit-password)"],
            rerun.StdErr.Split('\n').Where(l => l.StartsWith("  changed: ")));
        Assert.Equal(255, (await node.SshWithPasswordAsync("true", password)).ExitCode);
    }

    /// <summary>The node is as delivered: root's password works, there is no deploy user, no podman.</summary>
    static async Task AssertUntouchedAsync(TestNode node, string password)
    {
        var byPassword = await node.SshWithPasswordAsync("getent passwd deploy; dpkg-query -W podman sudo >/dev/null 2>&1; echo $?", password);
        Assert.Equal((0, "1\n"), (byPassword.ExitCode, byPassword.StdOut));
    }
}
