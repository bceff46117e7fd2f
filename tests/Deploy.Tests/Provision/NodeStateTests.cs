using Vz.Deploy.Provision;

namespace Vz.Deploy.Tests.Provision;

public class NodeStateTests
{
    [Fact]
    public void TheProbeOutputIsReadIntoTheNodesState()
    {
        var state = NodeState.Parse(
            "home=/home/deploy\nkey=1\nsudoers=abc\ndropin=def\ninclude=1\npkg=podman\npkg=sudo\nlinger=1\nsubuid=1\n" +
            "subids=100000:65536\nsubids=165536:65536\nfirewalld=1\nselinux=1\nvzpatch=1\n" +
            "sshd_passwordauthentication=no\nsshd_kbdinteractiveauthentication=no\nsshd_permitrootlogin=without-password\nnoise\n");

        Assert.Equal("/home/deploy", state.Home);
        Assert.True(state.KeyAuthorized && state.SshdIncludesDropIns && state.Linger && state.SubUid && state.FirewalldActive && state.Selinux && state.Vzpatch);
        Assert.False(state.SubGid || state.FirewallKeepsSsh);
        Assert.Equal(("abc", "def"), (state.SudoersSha, state.DropInSha));
        Assert.Equal(new HashSet<string> { "podman", "sudo" }, state.Installed);
        Assert.Equal([(100000L, 65536L), (165536L, 65536L)], state.SubIdRanges);
        Assert.True(state.KeysOnly);
    }

    [Fact]
    public void AFreshNodeHasNoUserAndAllowsPasswords()
    {
        var state = NodeState.Parse("include=1\nsshd_passwordauthentication=yes\nsshd_permitrootlogin=yes\n");
        Assert.Null(state.Home);
        Assert.False(state.KeysOnly);
        Assert.Empty(state.Installed);
    }

    [Theory]
    [InlineData("no", "no", "prohibit-password", true)]
    [InlineData("no", "no", "no", true)]
    [InlineData("no", "yes", "prohibit-password", false)]
    [InlineData("no", "no", "yes", false)]
    [InlineData("yes", "no", "no", false)]
    public void KeysOnlyMeansNoPasswordNoKeyboardInteractiveAndRootByKeyAtMost(string password, string kbd, string root, bool keysOnly) =>
        Assert.Equal(keysOnly, NodeState.Parse($"sshd_passwordauthentication={password}\nsshd_kbdinteractiveauthentication={kbd}\nsshd_permitrootlogin={root}\n").KeysOnly);

    [Fact]
    public void TheProbeAsksAboutEachPackageWithTheFamilysTool()
    {
        var request = new ProvisionRequest { User = "deploy", PublicKey = "ssh-ed25519 AAAA x" };
        var debian = NodeState.Probe(OsReleases.Os("debian-12"), request, ["podman", "sudo"]);
        var rocky = NodeState.Probe(OsReleases.Os("rocky-9"), request, ["podman", "epel-release"]);
        Assert.Contains("for p in podman sudo; do if dpkg-query -W -f='${Status}' \"$p\" 2>/dev/null | grep -q 'install ok installed'; then echo \"pkg=$p\"; fi; done\n", debian);
        Assert.Contains("for p in podman epel-release; do if rpm -q \"$p\" >/dev/null 2>&1; then echo \"pkg=$p\"; fi; done\n", rocky);
        Assert.Contains("grep -qF AAAA \"$h/.ssh/authorized_keys\"", debian);
        Assert.DoesNotContain("vzpatch", debian);
    }
}
