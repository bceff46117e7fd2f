using Vz.Deploy.Firewall;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Tests.Pods;

namespace Vz.Deploy.Tests.Firewall;

public class FirewallPlanTests
{
    static FirewallPort P(string s) => FirewallPort.Parse(s)!;

    static SortedSet<FirewallPort> Set(params string[] ports) => new(ports.Select(P));

    [Fact]
    public void TheDesiredPortsAreEveryPublishedPortButLoopbackOnesAcrossTheNodesPods()
    {
        var desired = FirewallPlan.Desired([Nodes.Manifest("fleet/pods/web.yaml"), Nodes.Manifest("fleet/pods/api.yaml")]);
        Assert.Equal(["5353/udp", "8080/tcp", "9090/tcp"], desired.Select(p => p.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PortsVzNoLongerDeclaresAreClosedAndNewOnesOpened()
    {
        var change = FirewallPlan.Compute(Set("8080/tcp", "9090/tcp"), Set("8080/tcp", "8443/tcp"));
        Assert.Equal(("9090/tcp", "8443/tcp", "8080/tcp"), (string.Join(",", change.Open), string.Join(",", change.Close), string.Join(",", change.Keep)));
        Assert.Equal("opened 9090/tcp; closed 8443/tcp", change.Describe());
        Assert.True(FirewallPlan.Compute(Set("8080/tcp"), Set("8080/tcp")).None);
    }

    [Theory]
    [InlineData(FirewallBackend.Firewalld, "8080/tcp\n5353/udp\n")]
    [InlineData(FirewallBackend.Nftables, "table inet vz {\n\tchain input {\n\t\ttype filter hook input priority filter - 1; policy accept;\n\t\ttcp dport 8080 accept\n\t\tudp dport 5353 accept\n\t}\n}\n")]
    [InlineData(FirewallBackend.Iptables, "-N VZ-INPUT\n-A VZ-INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A VZ-INPUT -p udp -m udp --dport 5353 -j ACCEPT\n-A VZ-INPUT -s 10.0.0.0/8 -j DROP\n")]
    public void WhatVzOpenedIsReadFromItsOwnObjectOnly(FirewallBackend backend, string listing) =>
        Assert.Equal(Set("5353/udp", "8080/tcp"), FirewallPlan.ParseOpened(backend, listing));

    [Fact]
    public void NothingListedMeansNothingOpened()
    {
        foreach (var b in Enum.GetValues<FirewallBackend>())
            Assert.Empty(FirewallPlan.ParseOpened(b, ""));
    }

    [Theory]
    [InlineData(FirewallBackend.Firewalld)]
    [InlineData(FirewallBackend.Nftables)]
    [InlineData(FirewallBackend.Iptables)]
    public void EachBackendsEnforceScriptIsTheGoldenFile(FirewallBackend backend) =>
        Golden.Match($"firewall.{PlatformDecisions.Name(backend)}.sh", FirewallPlan.EnforceScript(backend, Set("8080/tcp", "5353/udp")));

    [Fact]
    public void TheNftablesTableIsReplacedInOneTransactionAndDeletedWhenNothingIsDeclared()
    {
        var s = FirewallPlan.EnforceScript(FirewallBackend.Nftables, Set("8080/tcp"));
        Assert.Contains("table inet vz\ndelete table inet vz\ntable inet vz {", s);
        var empty = FirewallPlan.EnforceScript(FirewallBackend.Nftables, Set());
        Assert.Contains("table inet vz\ndelete table inet vz\nVZ_NFT\n", empty);
    }

    [Fact]
    public void FirewalldIsNeverReloadedAndIptablesJumpsToVzsChainOnce()
    {
        Assert.DoesNotContain("--reload", FirewallPlan.EnforceScript(FirewallBackend.Firewalld, Set("8080/tcp")));
        var ipt = FirewallPlan.EnforceScript(FirewallBackend.Iptables, Set("8080/tcp"));
        Assert.Contains("$ipt -w -C INPUT -j VZ-INPUT 2>/dev/null || $ipt -w -I INPUT 1 -j VZ-INPUT", ipt);
        Assert.DoesNotContain("-F", ipt);
    }

    [Fact]
    public void OnlyNftablesAndIptablesNeedTheBootUnit()
    {
        Assert.False(FirewallPlan.NeedsBootUnit(FirewallBackend.Firewalld));
        Assert.True(FirewallPlan.NeedsBootUnit(FirewallBackend.Iptables));
        Assert.Contains("ExecStart=/bin/sh /root/.vz/firewall.sh\n", FirewallPlan.BootUnit("/root/.vz/firewall.sh"));
        Assert.Equal("sudo -n sh /home/rocky/.vz/firewall.sh\n", FirewallPlan.RunScript(FirewallAccess.Sudo, "/home/rocky/.vz/firewall.sh"));
    }

    [Theory]
    [InlineData("80/tcp", true)]
    [InlineData("65535/udp", true)]
    [InlineData("0/tcp", false)]
    [InlineData("80/sctp", false)]
    [InlineData("http", false)]
    public void PortsParseOnlyInVzsNotation(string text, bool valid) => Assert.Equal(valid, FirewallPort.Parse(text) is not null);
}
