using Vz.Deploy.Inventory;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Input;

/// <summary>Host and user names with control characters, and ssh files of the wrong kind.</summary>
public class HostileNamesTests
{
    static TargetResolver Resolver(SshConfig? config = null) =>
        new(config ?? SshConfig.Empty, new SshOptions { IdentityFiles = ["/k"] }, new NodeSettings());

    [Theory]
    [InlineData("web\u001b[31m1")]
    [InlineData("web\u00071")]
    [InlineData("web\u00851")]
    public void AnInventoryHostNameWithAControlCharacterIsRefusedNamingTheLine(string host)
    {
        var e = Assert.Throws<VzException>(() => AnsibleInventory.Parse(new StringReader($"[web]\n{host}\n"), "inv"));
        Assert.Equal(DeployErrors.BadInventory, e.Error);
        Assert.StartsWith("inv:2:", e.Message);
        Assert.Contains("control character", e.Message);
    }

    [Theory]
    [InlineData("web\n* ssh-ed25519 AAAA")]
    [InlineData("root@web\u001b]0;x\u0007")]
    [InlineData("web\uFFFD")]
    public void ANodeNamedWithControlCharactersOnTheCommandLineIsRefused(string spec)
    {
        // A line break here would have added a line to known_hosts with --accept-new.
        var e = Assert.Throws<VzException>(() => Resolver().FromSpec(spec));
        Assert.Equal(DeployErrors.BadNodeList, e.Error);
    }

    [Fact]
    public void AnsibleHostUserAndSshConfigHostNameAreCheckedToo()
    {
        var inv = AnsibleInventory.Parse(new StringReader("a ansible_host=\"x\u0007y\"\nb ansible_user=\"u\u001b\"\n"), "inv");
        Assert.Equal(DeployErrors.BadNodeList, Assert.Throws<VzException>(() => Resolver().FromInventory(inv.HostsOf("all")[0])).Error);
        Assert.Equal(DeployErrors.BadNodeList, Assert.Throws<VzException>(() => Resolver().FromInventory(inv.HostsOf("all")[1])).Error);
        var config = SshConfig.Parse(new StringReader("Host alias\n  HostName evil\u0007host\n"));
        Assert.Equal(DeployErrors.BadNodeList, Assert.Throws<VzException>(() => Resolver(config).FromSpec("alias")).Error);
    }

    [Fact]
    public void KnownHostsAndSshConfigThatAreDirectoriesOrEndlessAreRefusedAndDevNullIsEmpty()
    {
        using var dir = new TempDir();
        Assert.Equal(DeployErrors.BadKnownHosts, Assert.Throws<VzException>(() => KnownHosts.Load(dir.Path)).Error);
        Assert.Equal(DeployErrors.BadSshConfig, Assert.Throws<VzException>(() => SshConfig.Load(dir.Path)).Error);
        Assert.Equal(DeployErrors.BadInventory, Assert.Throws<VzException>(() => AnsibleInventory.Load(dir.Path)).Error);
        Assert.Equal(DeployErrors.BadKnownHosts, Assert.Throws<VzException>(() => KnownHosts.Load("/dev/zero")).Error);
        Assert.Empty(KnownHosts.Load("/dev/null").Entries);
        Assert.Equal("node", SshConfig.Load("/dev/null").Resolve("node").HostName);
    }

    [Fact]
    public void AHashedKnownHostsLineWithASaltThatIsNotBase64IsSkippedNotAnErrorLater()
    {
        var key = Fixtures.Key("a");
        var known = KnownHosts.Parse(new StringReader($"|1|not*base64|AAAA ssh-ed25519 {Convert.ToBase64String(key)}\n"));
        Assert.Empty(known.Entries);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("web1", 22, key));
    }
}
