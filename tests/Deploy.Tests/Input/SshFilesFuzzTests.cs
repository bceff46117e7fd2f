using System.Text;
using Vz.Deploy.Inventory;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Input;

/// <summary>
/// The inventory, ssh config and known_hosts readers fed thousands of mutations of the committed
/// fixtures: a result that holds up (every target a usable name) or their VZ30xx error, within
/// the time and memory bounds.
/// </summary>
public class SshFilesFuzzTests
{
    static byte[] Fixture(params string[] path) => File.ReadAllBytes(RepoRoot.Combine(["fixtures", .. path]));

    static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void MutatedInventoriesGiveUsableTargetsOrAnInventoryError()
    {
        var corpus = new[] { Fixture("deploy", "hosts.ini"), Fixture("pods", "issue9", "hosts.ini"), Fixture("pods", "fleet", "hosts.ini"),
            "[web]\nweb[01:03] ansible_user=deploy\n[db]\ndb-[a:c] ansible_port=2201\n[all:children]\nweb\n"u8.ToArray() };
        var resolver = new TargetResolver(SshConfig.Empty, new SshOptions { IdentityFiles = ["/k"] }, new NodeSettings());
        var r = Fuzz.Run(corpus, new FuzzOptions
        {
            Seed = 8_007,
            Tokens = ["[web]", "[prod:children]", "[prod:vars]", ":children", ":vars", "[01:99]", "[a:z]", "[1:9:2]", "[0:99999]", "ansible_host=", "ansible_port=", "ansible_user=", "vz_env_X=", ";"],
        }, bytes =>
        {
            var inv = AnsibleInventory.Parse(new StringReader(Text(bytes)), "inv");
            foreach (var group in inv.Groups)
            {
                foreach (var host in inv.HostsOf(group))
                {
                    Assert.Null(NodeNames.Problem(host.Name));
                    var target = resolver.FromInventory(host);
                    Assert.InRange(target.Port, 1, 65535);
                    Assert.Null(NodeNames.Problem(target.Host));
                }
            }
        }, e => e is VzException v && v.Code is "VZ3003" or "VZ3004" or "VZ3005");
        Assert.True(r.Accepted > 300 && r.Refused > 300, $"{r}");
    }

    [Fact]
    public void MutatedSshConfigsResolveOrGiveAConfigError()
    {
        var corpus = new[] { Fixture("deploy", "ssh_config"), "Host *\n  User u\nHost a b,c !d\n  HostName %h.x\n  Port 2222\n"u8.ToArray() };
        var r = Fuzz.Run(corpus, new FuzzOptions
        {
            Seed = 8_008,
            Tokens = ["Host ", "HostName ", "Port ", "User ", "IdentityFile ", "Match ", "*", "?", "!", "%h", "=", "\"", "~/"],
        }, bytes =>
        {
            var config = SshConfig.Parse(new StringReader(Text(bytes)));
            foreach (var alias in new[] { "web1", "web2", "db-main", "db-old", "legacy", "a", "x" })
            {
                var host = config.Resolve(alias, home: "/home/u");
                Assert.NotNull(host.HostName);
                Assert.True(host.Port is null or (>= 1 and <= 65535));
            }
        }, e => e is VzException v && v.Error == DeployErrors.BadSshConfig);
        Assert.True(r.Accepted > 300 && r.Refused > 100, $"{r}");
    }

    [Fact]
    public void MutatedKnownHostsCheckKeysOrGiveAKnownHostsError()
    {
        var corpus = new[] { Fixture("deploy", "known_hosts") };
        var keys = new[] { "a", "b", "c", "r" }.Select(Fixtures.Key).ToArray();
        var r = Fuzz.Run(corpus, new FuzzOptions
        {
            Seed = 8_009,
            Tokens = ["|1|", "@revoked ", "@cert-authority ", "[", "]:2222", "ssh-ed25519 ", "ssh-rsa ", "AAAA", "==", ",", "!", "*"],
        }, bytes =>
        {
            var known = KnownHosts.Parse(new StringReader(Text(bytes)));
            foreach (var (host, port) in new[] { ("web1.example.org", 22), ("web1.example.org", 2222), ("203.0.113.10", 22), ("x.wild.example.org", 22), ("hashed.example.org", 22) })
            {
                foreach (var key in keys)
                    Assert.True(Enum.IsDefined(known.Check(host, port, key)));
                known.KeyTypesFor(host, port);
            }
        }, e => e is VzException v && v.Error == DeployErrors.BadKnownHosts);
        // known_hosts skips malformed lines as OpenSSH does, so nearly every mutation is accepted.
        Assert.True(r.Accepted > 2000, $"{r}");
    }
}
