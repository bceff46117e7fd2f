using Vz.Deploy.Inventory;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests;

public class InventoryTests
{
    static readonly AnsibleInventory Inv = AnsibleInventory.Parse(new StringReader(Fixtures.Text("hosts.ini")), "hosts.ini");

    [Fact]
    public void ChildrenGroupsIncludeTheirHostsInFileOrder() =>
        Assert.Equal(["web1", "web2", "db1"], Inv.HostsOf("prod").Select(h => h.Name));

    [Fact]
    public void AllHoldsEveryHostIncludingUngrouped() =>
        Assert.Equal(["ungrouped.example.org", "web1", "web2", "db1"], Inv.HostsOf("all").Select(h => h.Name));

    [Fact]
    public void HostVarsOverrideChildGroupVarsWhichOverrideParentGroupVars()
    {
        var hosts = Inv.HostsOf("prod").ToDictionary(h => h.Name);
        Assert.Equal("deploy", hosts["web1"].Get("ansible_user"));
        Assert.Equal("ops", hosts["db1"].Get("ansible_user"));
        Assert.Equal("systemd", hosts["web2"].Get("vz_cgroup_manager"));
        Assert.Null(hosts["db1"].Get("vz_cgroup_manager"));
        Assert.Equal("crun", hosts["web2"].Get("vz_runtime"));
    }

    [Fact]
    public void UnknownGroupIsAnErrorListingTheGroups()
    {
        var e = Assert.Throws<VzException>(() => Inv.HostsOf("staging"));
        Assert.Equal("VZ3004", e.Code);
        Assert.Contains("web", e.Hint);
    }

    [Fact]
    public void MalformedVariableNamesTheLine()
    {
        var e = Assert.Throws<VzException>(() => AnsibleInventory.Parse(new StringReader("[web]\nweb1 ansible_port\n"), "inv"));
        Assert.Equal("VZ3003", e.Code);
        Assert.StartsWith("inv:2:", e.Message);
    }

    [Fact]
    public void InventoryVarsBecomeTargetAddressAndNodeSettings()
    {
        var resolver = new TargetResolver(SshConfig.Empty, new SshOptions { IdentityFiles = ["/k"] }, new NodeSettings());
        var web2 = resolver.FromInventory(Inv.HostsOf("web").Single(h => h.Name == "web2"));
        Assert.Equal(("web2", "203.0.113.11", 2222, "ops"), (web2.Name, web2.Host, web2.Port, web2.User));
        Assert.Equal(("/srv/vz", "crun", "systemd"), (web2.Settings.Store, web2.Settings.Runtime, web2.Settings.CgroupManager));
        Assert.Equal("/etc/vz/containers.conf", web2.Settings.Env["CONTAINERS_CONF"]);
    }

    [Theory]
    [InlineData("root@10.0.0.5:2200", "root", "10.0.0.5", 2200)]
    [InlineData("10.0.0.5", "fallback", "10.0.0.5", 22)]
    [InlineData("me@[::1]:2201", "me", "::1", 2201)]
    [InlineData("web1", "deploy", "web1.example.org", 2222)]
    public void ToSpecsAreResolvedThroughSshConfig(string spec, string user, string host, int port)
    {
        var config = SshConfig.Parse(new StringReader(Fixtures.Text("ssh_config")));
        var t = new TargetResolver(config, new SshOptions(), new NodeSettings()).FromSpec(spec);
        Assert.Equal((user, host, port), (t.User, t.Host, t.Port));
    }
}
