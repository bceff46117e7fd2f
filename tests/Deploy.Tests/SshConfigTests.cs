using Vz.Deploy.Ssh;

namespace Vz.Deploy.Tests;

public class SshConfigTests
{
    static readonly SshConfig Config = SshConfig.Parse(new StringReader(Fixtures.Text("ssh_config")), "ssh_config");

    [Fact]
    public void FirstMatchingValueWinsAndHostNameExpandsPercentH()
    {
        var web2 = Config.Resolve("web2", home: "/home/u");
        Assert.Equal("web2.example.org", web2.HostName);
        Assert.Equal("deploy", web2.User);
        Assert.Null(web2.Port);
    }

    [Fact]
    public void LaterBlocksOnlyFillKeywordsNotYetSet()
    {
        var web1 = Config.Resolve("web1", home: "/home/u");
        Assert.Equal("web1.example.org", web1.HostName); // "Host web?" came first
        Assert.Equal(2222, web1.Port);
    }

    [Fact]
    public void IdentityFilesAccumulateInOrderWithTildeExpanded() =>
        Assert.Equal(["/home/u/.ssh/web_ed25519", "/home/u/.ssh/id_shared"], Config.Resolve("web3", home: "/home/u").IdentityFiles);

    [Fact]
    public void NegatedPatternExcludesAHost()
    {
        Assert.Equal(("postgres", 2200), (Config.Resolve("db-new").User, Config.Resolve("db-new").Port));
        Assert.Equal("fallback", Config.Resolve("db-old").User);
        Assert.Null(Config.Resolve("db-old").Port);
    }

    [Fact]
    public void MatchBlocksNeverApply() =>
        Assert.Equal("fallback", Config.Resolve("legacy").User);

    [Fact]
    public void UnknownAliasKeepsItsNameAsHostName() =>
        Assert.Equal("203.0.113.99", Config.Resolve("203.0.113.99").HostName);

    [Fact]
    public void BadPortIsRejectedWithFileAndLine()
    {
        var e = Assert.Throws<VzException>(() => SshConfig.Parse(new StringReader("Host x\n  Port http\n"), "cfg"));
        Assert.Equal("VZ3001", e.Code);
        Assert.StartsWith("cfg:2:", e.Message);
    }
}
