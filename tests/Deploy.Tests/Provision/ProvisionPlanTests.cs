using Vz.Deploy.Provision;
using Vz.Deploy.Push;

namespace Vz.Deploy.Tests.Provision;

/// <summary>The plan node add makes per distribution, as the exact commands it would run.</summary>
public class ProvisionPlanTests
{
    const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICL/xDiPIAysrLMHyXr1dQgWqIKh2a9Vv5l5AzbrmNRV operator@laptop";

    static readonly ProvisionRequest Request = new() { User = "deploy", PublicKey = Key };

    static readonly VzpatchBinary Vzpatch = new("/opt/vz/vzpatch", 2_190_000, "0123456789abcdef" + new string('e', 48));

    /// <summary>A VPS as delivered: nothing of vz's, passwords allowed; RHEL 8's sshd_config has no Include.</summary>
    static NodeState Fresh(NodeOs os, bool firewalld = false) => new()
    {
        SshdIncludesDropIns = !(os.Family == OsFamily.Rhel && os.Major == 8),
        FirewalldActive = firewalld,
        SubIdRanges = [],
        Sshd = new Dictionary<string, string> { ["passwordauthentication"] = "yes", ["permitrootlogin"] = "yes", ["kbdinteractiveauthentication"] = "no" },
    };

    /// <summary>What the probe finds after a complete node add.</summary>
    static NodeState Done(NodeOs os) => new()
    {
        Home = "/home/deploy",
        KeyAuthorized = true,
        SudoersSha = NodeFiles.Sha256(NodeFiles.Sudoers("deploy")),
        DropInSha = NodeFiles.Sha256(NodeFiles.SshdKeysOnly("deploy")),
        SshdIncludesDropIns = true,
        Installed = ProvisionPlanner.ProbedPackages(os).ToHashSet(),
        Linger = true,
        SubUid = true,
        SubGid = true,
        FirewalldActive = os.Family == OsFamily.Rhel,
        FirewallKeepsSsh = true,
        Vzpatch = true,
        Sshd = new Dictionary<string, string> { ["passwordauthentication"] = "no", ["permitrootlogin"] = "without-password", ["kbdinteractiveauthentication"] = "no" },
    };

    static string[] Names(ProvisionPlan plan) => plan.Steps.Select(s => s.Name).ToArray();

    static string Script(ProvisionPlan plan, string name) => plan.Steps.Single(s => s.Name == name).Script;

    [Fact]
    public void Rocky9GetsEpelDnfPackagesAndFirewalldKeepsSshBeforePasswordsGoOff()
    {
        var os = OsReleases.Os("rocky-9");
        var plan = ProvisionPlanner.Plan(os, Fresh(os, firewalld: true), Request with { Vzpatch = Vzpatch });

        Assert.Equal(["epel", "packages", "user", "subids", "key", "sudo", "linger", "firewall"], Names(plan));
        Assert.EndsWith("set -e\ndnf -y install epel-release\n", Script(plan, "epel"));
        Assert.EndsWith("set -e\ndnf -y install podman crun catatonit passt fuse-overlayfs sudo iptables-nft xdelta\n", Script(plan, "packages"));
        Assert.EndsWith("set -e\nfirewall-cmd --add-service=ssh >/dev/null\nfirewall-cmd --permanent --add-service=ssh >/dev/null\n", Script(plan, "firewall"));
        Assert.False(plan.CopyVzpatch); // EPEL 9 has xdelta
        Assert.NotNull(plan.KeysOnly);
        Assert.Contains("systemctl reload sshd 2>&1", plan.KeysOnly!.Script);
        Assert.DoesNotContain("Include /etc/ssh/sshd_config.d", plan.KeysOnly.Script);
    }

    [Fact]
    public void Rocky8HasNoXdeltaSoVzpatchIsCopiedAndItsSshdConfigGetsTheInclude()
    {
        var os = OsReleases.Os("rocky-8");
        var plan = ProvisionPlanner.Plan(os, Fresh(os), Request with { Vzpatch = Vzpatch });

        Assert.Equal(["packages", "user", "subids", "key", "sudo", "linger"], Names(plan));
        Assert.EndsWith("set -e\ndnf -y install podman crun podman-catatonit slirp4netns fuse-overlayfs sudo iptables\n", Script(plan, "packages"));
        Assert.True(plan.CopyVzpatch);
        Assert.Empty(plan.Notes);
        Assert.Contains("{ echo 'Include /etc/ssh/sshd_config.d/*.conf'; cat \"$c.vz-old\"; } > \"$c.vz-new\"", plan.KeysOnly!.Script);
        Assert.Contains("systemctl reload sshd 2>&1", plan.KeysOnly.Script);
    }

    [Fact]
    public void Rocky8WithoutVzpatchAtHandSaysPushWillSendFullUploads()
    {
        var os = OsReleases.Os("rocky-8");
        var plan = ProvisionPlanner.Plan(os, Fresh(os), Request);
        Assert.False(plan.CopyVzpatch);
        Assert.Equal(["Rocky Linux 8.10 (Green Obsidian) has no xdelta3 and no vzpatch was found beside vzbuild (--vzpatch): push sends this node full uploads until it copies vzpatch itself"], plan.Notes);
    }

    [Fact]
    public void Rhel9GetsEpelFromItsReleaseRpm()
    {
        var os = OsReleases.Os("rhel-9");
        var plan = ProvisionPlanner.Plan(os, Fresh(os), Request);
        Assert.EndsWith("set -e\ndnf -y install https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm\n", Script(plan, "epel"));
    }

    [Theory]
    [InlineData("alma-8")]
    [InlineData("rhel-8")]
    public void EveryEl8CopiesVzpatchAndNeedsNoEpel(string file)
    {
        var os = OsReleases.Os(file);
        var plan = ProvisionPlanner.Plan(os, Fresh(os), Request with { Vzpatch = Vzpatch });
        Assert.True(plan.CopyVzpatch);
        Assert.DoesNotContain("epel", Names(plan));
    }

    [Fact]
    public void AnEl9NodeThatHasEpelAlreadyOnlyInstallsXdelta()
    {
        var os = OsReleases.Os("alma-9");
        var state = Done(os) with { Installed = ProvisionPlanner.ProbedPackages(os).Where(p => p != "xdelta").ToHashSet() };
        var plan = ProvisionPlanner.Plan(os, state, Request);
        Assert.Equal(["packages"], Names(plan));
        Assert.EndsWith("dnf -y install xdelta\n", Script(plan, "packages"));
    }

    [Fact]
    public void Debian12InstallsWithAptWithoutRecommendsAndIptablesForNetavark()
    {
        var os = OsReleases.Os("debian-12");
        var plan = ProvisionPlanner.Plan(os, Fresh(os), Request);

        Assert.Equal(["packages", "user", "subids", "key", "sudo", "linger"], Names(plan));
        Assert.Equal(
            ProvisionScripts.Prelude + "set -e\napt-get -q update\n" +
            "DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install --no-install-recommends " +
            "podman crun catatonit uidmap slirp4netns fuse-overlayfs dbus-user-session sudo xdelta3 iptables\n",
            Script(plan, "packages"));
        Assert.Contains("systemctl reload ssh 2>&1", plan.KeysOnly!.Script);
        Assert.False(plan.CopyVzpatch);
    }

    [Fact]
    public void Debian13UsesPastaAndNftables() =>
        Assert.Equal(["podman", "crun", "catatonit", "uidmap", "passt", "fuse-overlayfs", "dbus-user-session", "sudo", "xdelta3", "nftables"],
            ProvisionPlanner.Packages(OsReleases.Os("debian-13")));

    [Theory]
    [InlineData("ubuntu-22.04")]
    [InlineData("ubuntu-24.04")]
    public void UbuntuInstallsLikeDebian12(string file) =>
        Assert.Equal(ProvisionPlanner.Packages(OsReleases.Os("debian-12")), ProvisionPlanner.Packages(OsReleases.Os(file)));

    [Fact]
    public void OnlyMissingPackagesAreInstalled()
    {
        var os = OsReleases.Os("debian-13");
        var state = Done(os) with { Installed = new HashSet<string> { "podman", "crun", "catatonit", "uidmap", "passt", "dbus-user-session", "nftables", "fuse-overlayfs" } };
        Assert.EndsWith("install --no-install-recommends sudo xdelta3\n", Script(ProvisionPlanner.Plan(os, state, Request), "packages"));
    }

    [Theory]
    [MemberData(nameof(SupportedFiles))]
    public void ANodeAsNodeAddLeavesItNeedsNothing(string file)
    {
        var os = OsReleases.Os(file);
        var plan = ProvisionPlanner.Plan(os, Done(os), Request with { Vzpatch = Vzpatch });
        Assert.True(plan.NothingToDo, string.Join(", ", Names(plan)) + (plan.KeysOnly is null ? "" : ", keys-only"));
    }

    public static TheoryData<string> SupportedFiles() => new(OsReleases.Supported);

    [Fact]
    public void PasswordLoginOffIsPlannedWhenSshdStillAllowsPasswordsEvenWithOurDropInThere()
    {
        var os = OsReleases.Os("debian-12");
        var state = Done(os) with { Sshd = new Dictionary<string, string> { ["passwordauthentication"] = "yes", ["permitrootlogin"] = "prohibit-password" } };
        var plan = ProvisionPlanner.Plan(os, state, Request);
        Assert.Empty(plan.Steps);
        Assert.NotNull(plan.KeysOnly);
    }

    [Fact]
    public void AChangedSudoersFileIsWrittenAgain()
    {
        var os = OsReleases.Os("debian-12");
        var plan = ProvisionPlanner.Plan(os, Done(os) with { SudoersSha = "0000" }, Request);
        Assert.Equal(["sudo"], Names(plan));
    }

    [Fact]
    public void TheSudoersFileIsCheckedWithVisudoBeforeItIsPutInPlace()
    {
        var script = ProvisionScripts.Sudoers("deploy", NodeFiles.Sudoers("deploy"));
        var check = script.IndexOf("visudo -cf \"$t\"", StringComparison.Ordinal);
        var move = script.IndexOf("mv -f \"$t\" \"$f\"", StringComparison.Ordinal);
        Assert.InRange(check, 0, move);
        Assert.Contains("t=/etc/sudoers.d/.vz-deploy.new; f=/etc/sudoers.d/vz-deploy\n", script);
        Assert.Contains("chown root:root \"$t\"; chmod 440 \"$t\"\n", script);
    }

    [Fact]
    public void PasswordsGoOffOnlyAfterSshdTestAndItsEffectiveSettingsPass()
    {
        var script = ProvisionPlanner.Plan(OsReleases.Os("debian-12"), Fresh(OsReleases.Os("debian-12")), Request).KeysOnly!.Script;
        var test = script.IndexOf("sshd -t", StringComparison.Ordinal);
        var effective = script.IndexOf("sshd -T", StringComparison.Ordinal);
        var reload = script.IndexOf("systemctl reload ssh", StringComparison.Ordinal);
        Assert.True(test > 0 && effective > test && reload > effective, script);
        Assert.Contains("grep -qx 'passwordauthentication no'", script);
        Assert.Contains("grep -Eqx 'permitrootlogin (prohibit-password|without-password|no)'", script);
        Assert.Contains("if ! err=$(systemctl reload ssh 2>&1); then back; echo \"systemctl reload ssh: $(echo \"$err\" | tr '\\n' ' ')\" >&2; exit 5; fi\n", script);
    }

    [Fact]
    public void TheSudoersFileGivesTheUserPasswordlessSudoWithoutATerminal() =>
        Assert.Equal(
            "# Written by vzbuild node add: deploy runs commands as root without a password\n" +
            "# (vz manages units, the firewall and linger through sudo -n, with no terminal).\n" +
            "Defaults:deploy !requiretty\n" +
            "deploy ALL=(ALL:ALL) NOPASSWD: ALL\n",
            NodeFiles.Sudoers("deploy"));

    [Fact]
    public void TheSshdDropInTurnsPasswordsOffAndKeepsRootToKeys() =>
        Assert.Equal(
            "# Written by vzbuild node add once key login as deploy, and sudo through it, worked:\n" +
            "# keys only from now on. Root keeps the keys it has (none on a new VPS).\n" +
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n",
            NodeFiles.SshdKeysOnly("deploy"));

    [Fact]
    public void TheKeyIsAddedOnceByItsBlobWithStrictModes()
    {
        var script = ProvisionScripts.AuthorizeKey("deploy", Key, Request.KeyBlob);
        Assert.Contains("install -d -m 700 -o deploy -g \"$g\" \"$h/.ssh\"\n", script);
        Assert.Contains("grep -qF AAAAC3NzaC1lZDI1NTE5AAAAICL/xDiPIAysrLMHyXr1dQgWqIKh2a9Vv5l5AzbrmNRV \"$f\" || printf '%s\\n' 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICL/xDiPIAysrLMHyXr1dQgWqIKh2a9Vv5l5AzbrmNRV operator@laptop' >> \"$f\"\n", script);
        Assert.Contains("chmod 600 \"$f\"", script);
        Assert.Contains("restorecon -RF \"$h/.ssh\"", script);
    }

    [Theory]
    [InlineData(new long[0], 100000)]
    [InlineData(new long[] { 100000, 65536 }, 165536)]
    [InlineData(new long[] { 100000, 65536, 165536, 65536 }, 231072)]
    [InlineData(new long[] { 150000, 65536 }, 215536)]
    [InlineData(new long[] { 300000, 65536 }, 100000)]
    public void SubordinateIdsGoInTheFirstFreeRange(long[] pairs, long expected)
    {
        var taken = pairs.Chunk(2).Select(p => (p[0], p[1])).ToList();
        Assert.Equal(expected, ProvisionPlanner.FreeSubIdStart(taken));
    }

    [Fact]
    public void SubordinateIdsAreAddedOnlyWhereUseraddGaveNone() =>
        Assert.Equal(
            ProvisionScripts.Prelude + "set -e\ntouch /etc/subuid /etc/subgid\n" +
            "grep -q '^'deploy':' /etc/subuid || usermod --add-subuids 165536-231071 deploy\n" +
            "grep -q '^'deploy':' /etc/subgid || usermod --add-subgids 165536-231071 deploy\n",
            ProvisionScripts.SubIds("deploy", 165536, 65536));

    [Fact]
    public void ScriptsRunAsRootDirectlyOrThroughSudo()
    {
        Assert.Equal("sh -c 'echo '\\''hi'\\'''", ProvisionScripts.AsRoot("echo 'hi'", loggedInAsRoot: true));
        Assert.Equal("sudo -n sh -c true", ProvisionScripts.AsRoot("true", loggedInAsRoot: false));
    }
}
