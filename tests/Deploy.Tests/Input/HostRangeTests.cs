using Vz.Deploy.Inventory;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Input;

/// <summary>Inventory host ranges expanded as Ansible's expand_hostname_range does.</summary>
public class HostRangeTests
{
    static VzException Error(string why) => new(DeployErrors.BadInventory, why);

    [Theory]
    [InlineData("web[01:03]", "web01 web02 web03")]
    [InlineData("web[1:3].example.org", "web1.example.org web2.example.org web3.example.org")]
    [InlineData("db-[a:c]", "db-a db-b db-c")]
    [InlineData("n[y:B]", "ny nz nA nB")]
    [InlineData("w[1:10:3]", "w1 w4 w7 w10")]
    [InlineData("w[01:10:2]", "w01 w03 w05 w07 w09")]
    [InlineData("w[:2]", "w0 w1 w2")]
    [InlineData("r[1:2]-c[a:b]", "r1-ca r1-cb r2-ca r2-cb")]
    [InlineData("plain.example.org", "plain.example.org")]
    [InlineData("w[8:11]", "w8 w9 w10 w11")]
    [InlineData("w[a:z:9223372036854775807]", "wa")]
    public void RangesExpandAsAnsibleExpandsThem(string pattern, string hosts) =>
        Assert.Equal(hosts.Split(' '), HostRange.Expand(pattern, Error));

    [Theory]
    [InlineData("web[1:3", "without a closing ']'")]
    [InlineData("web[1]", "begin:end")]
    [InlineData("web[1:2:3:4]", "begin:end")]
    [InlineData("web[1:]", "no end")]
    [InlineData("web[3:1]", "begin <= end")]
    [InlineData("web[c:a]", "begin <= end")]
    [InlineData("web[01:100]", "equally long")]
    [InlineData("web[1:5:0]", "step")]
    [InlineData("web[1:5:-1]", "step")]
    [InlineData("web[a:5]", "neither numbers nor single letters")]
    [InlineData("web[0:99999999999]", "more than 10000 hosts")]
    [InlineData("a[0:999]b[0:99]", "more than 10000 hosts")]
    [InlineData("w[0:9223372036854775807:9223372036854775807]", "")]
    public void RangesAnsibleRefusesOrThatNameTooManyHostsAreErrors(string pattern, string says)
    {
        if (says.Length == 0)
        {
            // Near long.MaxValue the step must not overflow into an endless loop.
            Assert.Equal(["w0", "w9223372036854775807"], HostRange.Expand(pattern, Error));
            return;
        }
        var e = Assert.Throws<VzException>(() => HostRange.Expand(pattern, Error));
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void AnInventoryRangeNamesEachHostWithTheLinesVarsAndGroup()
    {
        var inv = AnsibleInventory.Parse(new StringReader("[web]\nweb[01:03] ansible_user=deploy\n[db]\ndb-[a:b]\n"), "inv");
        Assert.Equal(["web01", "web02", "web03"], inv.HostsOf("web").Select(h => h.Name));
        Assert.All(inv.HostsOf("web"), h => Assert.Equal("deploy", h.Get("ansible_user")));
        Assert.Equal(["web01", "web02", "web03", "db-a", "db-b"], inv.HostsOf("all").Select(h => h.Name));
    }

    [Fact]
    public void PushGetsOneTargetPerHostOfARangeNeverTheRangeItself()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("hosts.ini", "[web]\nweb[1:2] ansible_port=2201\n");
        var targets = TargetResolver.Resolve([], inventory, "web", new SshOptions { ConfigFile = "/dev/null", IdentityFiles = ["/k"] }, new NodeSettings());
        Assert.Equal([("web1", "web1", 2201), ("web2", "web2", 2201)], targets.Select(t => (t.Name, t.Host, t.Port)));
    }

    [Fact]
    public void AHostPatternsPortIsItsAnsiblePortUnlessTheLineSetsOne()
    {
        var inv = AnsibleInventory.Parse(new StringReader("web[1:2]:2222\nsolo:2200 ansible_port=2201\nfe80::1\n"), "inv");
        Assert.Equal([("web1", "2222"), ("web2", "2222"), ("solo", "2201"), ("fe80::1", null)],
            inv.HostsOf("all").Select(h => (h.Name, h.Get("ansible_port"))));
    }

    [Fact]
    public void ABadRangeNamesTheInventoryLine()
    {
        var e = Assert.Throws<VzException>(() => AnsibleInventory.Parse(new StringReader("[web]\nok\nweb[3:1]\n"), "inv"));
        Assert.Equal(DeployErrors.BadInventory, e.Error);
        Assert.StartsWith("inv:3:", e.Message);
    }
}
