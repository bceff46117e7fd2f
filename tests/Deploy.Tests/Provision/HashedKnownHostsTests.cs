using Vz.Deploy.Ssh;

namespace Vz.Deploy.Tests.Provision;

/// <summary>node add records a new host hashed, as ssh-keygen -H does (fixtures/deploy/known_hosts has lines it wrote).</summary>
public class HashedKnownHostsTests
{
    static byte[] KeyA => Convert.FromBase64String(File.ReadAllText(Vz.Tests.RepoRoot.Combine("fixtures", "deploy", "key-a.pub")).Split(' ')[1]);

    [Fact]
    public void AHashedLineWithTheSameSaltIsTheLineSshKeygenWrote()
    {
        var salt = Convert.FromBase64String("oLrbvuE7rQluAh59G/drs/ZA/dI=");
        Assert.Equal("|1|oLrbvuE7rQluAh59G/drs/ZA/dI=|AawacdKfpDU5h5wwyT3HmjSV+js= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICL/xDiPIAysrLMHyXr1dQgWqIKh2a9Vv5l5AzbrmNRV",
            KnownHosts.HashedLine("hashed.example.org", 22, KeyA, salt));
    }

    [Fact]
    public void AHashedLineNamesItsHostAndPortOnlyAndDoesNotShowTheName()
    {
        var line = KnownHosts.HashedLine("10.231.7.2", 2222, KeyA);
        var hosts = KnownHosts.Parse(new StringReader(line));
        Assert.DoesNotContain("10.231", line);
        Assert.Equal(HostKeyVerdict.Known, hosts.Check("10.231.7.2", 2222, KeyA));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Check("10.231.7.2", 22, KeyA));
        Assert.NotEqual(KnownHosts.HashedLine("10.231.7.2", 2222, KeyA), line); // a fresh salt each time
    }

    [Fact]
    public void AppendAddsALineToAFileWithoutAFinalNewline()
    {
        using var dir = new Vz.Tests.TempDir();
        var path = dir.Write("sub/known_hosts", "a ssh-ed25519 AAAA");
        KnownHosts.Append(path, "b ssh-ed25519 BBBB");
        KnownHosts.Append(dir["new/known_hosts"], "c ssh-ed25519 CCCC");
        Assert.Equal("a ssh-ed25519 AAAA\nb ssh-ed25519 BBBB\n", File.ReadAllText(path));
        Assert.Equal("c ssh-ed25519 CCCC\n", File.ReadAllText(dir["new/known_hosts"]));
    }
}
