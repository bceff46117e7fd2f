using Vz.Deploy.Ssh;

namespace Vz.Deploy.Tests;

public class KnownHostsTests
{
    static readonly KnownHosts Hosts = KnownHosts.Parse(new StringReader(Fixtures.Text("known_hosts")));

    [Theory]
    [InlineData("web1.example.org", 22, "a")]
    [InlineData("203.0.113.10", 22, "a")]
    [InlineData("WEB1.example.org", 22, "a")]
    [InlineData("web1.example.org", 2222, "b")]
    [InlineData("x.wild.example.org", 22, "c")]
    [InlineData("rsa.example.org", 22, "r")]
    public void PlainEntriesMatchByNameAddressAndBracketedPort(string host, int port, string key) =>
        Assert.Equal(HostKeyVerdict.Known, Hosts.Check(host, port, Fixtures.Key(key)));

    [Fact]
    public void HashedEntriesMatchTheirHostAndPortOnly()
    {
        Assert.Equal(HostKeyVerdict.Known, Hosts.Check("hashed.example.org", 22, Fixtures.Key("a")));
        Assert.Equal(HostKeyVerdict.Known, Hosts.Check("hashed.example.org", 2222, Fixtures.Key("e")));
        Assert.Equal(HostKeyVerdict.Unknown, Hosts.Check("hashed.example.org", 2223, Fixtures.Key("e")));
        Assert.Equal(HostKeyVerdict.Unknown, Hosts.Check("other.example.org", 22, Fixtures.Key("a")));
    }

    [Fact]
    public void ADifferentKeyOfTheSameTypeIsChanged()
    {
        Assert.Equal(HostKeyVerdict.Changed, Hosts.Check("web1.example.org", 22, Fixtures.Key("c")));
        Assert.Equal(HostKeyVerdict.Changed, Hosts.Check("hashed.example.org", 22, Fixtures.Key("b")));
    }

    [Fact]
    public void AKeyOfAnotherTypeForAKnownHostIsUnknownNotChanged() =>
        Assert.Equal(HostKeyVerdict.Unknown, Hosts.Check("web1.example.org", 22, Fixtures.Key("e")));

    [Fact]
    public void PortTwentyTwoAndOtherPortsAreDifferentHosts() =>
        Assert.Equal(HostKeyVerdict.Changed, Hosts.Check("web1.example.org", 2222, Fixtures.Key("a")));

    [Fact]
    public void NegatedPatternExcludesAHostFromAWildcardLine()
    {
        Assert.Equal(HostKeyVerdict.Known, Hosts.Check("good.wild.example.org", 22, Fixtures.Key("a")));
        Assert.Equal(HostKeyVerdict.Changed, Hosts.Check("bad.wild.example.org", 22, Fixtures.Key("a")));
    }

    [Fact]
    public void RevokedKeyIsRefusedForEveryHost() =>
        Assert.Equal(HostKeyVerdict.Changed, Hosts.Check("anything.example.net", 22, Fixtures.Key("d")));

    [Fact]
    public void InvalidAndCertAuthorityLinesAreSkipped()
    {
        Assert.DoesNotContain(Hosts.Entries, e => e.Patterns.Contains("this"));
        Assert.DoesNotContain(Hosts.Entries, e => e.Patterns.Contains("*.example.org"));
    }

    [Fact]
    public void KnownKeyTypesForAHostComeFromItsLines() =>
        Assert.Equal(new HashSet<string> { "ssh-ed25519" }, Hosts.KeyTypesFor("web1.example.org", 22).ToHashSet());

    [Fact]
    public void FingerprintMatchesSshKeygen() =>
        // ssh-keygen -l -E sha256 -f fixtures/deploy/key-a.pub
        Assert.Equal("SHA256:3tPdQ250DzIcLCGUqrkSPYY621Rc99aKD6ve2QForpc", KnownHosts.Fingerprint(Fixtures.Key("a")));

    [Fact]
    public void AnAppendedLineIsKnownAfterwards()
    {
        var line = KnownHosts.AppendLine("10.0.0.7", 2200, Fixtures.Key("r"));
        Assert.StartsWith("[10.0.0.7]:2200 ssh-rsa ", line);
        Assert.Equal(HostKeyVerdict.Known, KnownHosts.Parse(new StringReader(line)).Check("10.0.0.7", 2200, Fixtures.Key("r")));
    }

    [Theory]
    [InlineData("*.example.org", "a.example.org", true)]
    [InlineData("*.example.org", "example.org", false)]
    [InlineData("web?", "web1", true)]
    [InlineData("web?", "web12", false)]
    [InlineData("10.0.*.1", "10.0.7.1", true)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    public void HostPatternsUseStarAndQuestionMark(string pattern, string host, bool matches) =>
        Assert.Equal(matches, HostPattern.Matches(pattern, host));
}
