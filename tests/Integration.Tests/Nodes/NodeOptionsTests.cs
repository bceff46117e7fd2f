namespace Vz.Integration.Tests.Nodes;

/// <summary>How node options become vznode's arguments and how its facts are read back.</summary>
public sealed class NodeOptionsTests
{
    [Fact]
    public void DefaultOptionsStartAReadyBookwormNodeWithNothingInTheEnvironment()
    {
        var options = new NodeOptions();

        Assert.Equal(["--release", "bookworm"], options.StartArgs());
        Assert.Empty(options.StartEnvironment());
    }

    [Fact]
    public void AFreshTrixieNodeWithoutXdeltaCarriesItsPasswordAndCapInTheEnvironmentNotTheArguments()
    {
        var options = NodeOptions.Trixie with { Kind = NodeKind.Fresh, WithXdelta = false, MemoryMb = 512, RootPassword = "s3cret" };

        Assert.Equal(["--release", "trixie", "--fresh", "--no-xdelta"], options.StartArgs());
        Assert.Equal(["--release", "trixie", "--fresh"], options.ImageArgs());
        Assert.Equal("512", options.StartEnvironment()["VZ_NODE_MEMORY_MB"]);
        Assert.Equal("s3cret", options.StartEnvironment()["VZ_NODE_ROOT_PASSWORD"]);
    }

    [Fact]
    public void ARootPasswordOnANodeThatIsNotFreshIsRefused()
    {
        var options = NodeOptions.Bookworm with { Kind = NodeKind.NoPodman, RootPassword = "x" };

        Assert.Throws<ArgumentException>(() => options.StartArgs());
    }

    [Fact]
    public void FactsParseEveryLineVznodePrints()
    {
        var facts = NodeFacts.Parse("""
            name=t1-1
            release=trixie
            kind=runc
            cgroup=hybrid
            memory_controller=v1
            memory_cap_mb=256
            xdelta=yes
            password_login=no
            """);

        Assert.Equal(new NodeFacts(NodeRelease.Trixie, NodeKind.NoPodman, "hybrid", "v1", 256, HasXdelta: true, PasswordLogin: false), facts);
    }

    [Fact]
    public void FactsWithoutAReleaseAreRejectedNamingTheMissingKey()
    {
        var e = Assert.Throws<FormatException>(() => NodeFacts.Parse("kind=full\n"));

        Assert.Contains("'release='", e.Message);
    }
}
