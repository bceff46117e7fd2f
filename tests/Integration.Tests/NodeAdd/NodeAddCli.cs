using System.Text;
using System.Text.Json;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.NodeAdd;

/// <summary>
/// The operator's side of node add in a test: a key pair of its own (ssh-keygen), a known_hosts and
/// an inventory in a temporary directory (VZ_SSH_IDENTITY, VZ_KNOWN_HOSTS; no ssh config), and the
/// built vzbuild run as a child process with the root password on its stdin. The real ~/.ssh is
/// never read or written. Deleted on dispose.
/// </summary>
public sealed class NodeAddCli : IDisposable
{
    static string Dll => Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");

    public string Dir { get; } = Directory.CreateTempSubdirectory("vz-node-add-").FullName;
    public string Key => Path.Combine(Dir, "id_ed25519");
    public string KnownHosts => Path.Combine(Dir, "known_hosts");
    public string Inventory => Path.Combine(Dir, "hosts.ini");

    /// <summary>The inventory an operator already has: comments, a group, a host; node add must keep all of it.</summary>
    public const string InventoryBefore = "# my fleet: added by hand so far\n[web]\nold1 ansible_host=192.0.2.10 ansible_user=ops\n\n# the database stays out of vz\n[db]\ndb1\n";

    /// <summary>A new key pair of its own, or a copy of <paramref name="key"/> (and its .pub): the harness's key opens a ready node's root.</summary>
    public NodeAddCli(string? key = null)
    {
        if (key is null)
        {
            var r = ProcessRunner.Run(new ProcessSpec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "vz-node-add-test", "-f", Key]));
            if (!r.Ok)
                throw new InvalidOperationException($"ssh-keygen failed: {r.StdErr}");
        }
        else
        {
            File.Copy(key, Key);
            File.Copy(key + ".pub", Key + ".pub");
        }
        File.WriteAllText(Inventory, InventoryBefore);
    }

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["VZ_KNOWN_HOSTS"] = KnownHosts,
        ["VZ_SSH_IDENTITY"] = Key,
        ["VZ_SSH_CONFIG"] = "/dev/null",
        ["VZ_VZPATCH"] = "",
        ["TERM"] = "dumb",
    };

    /// <summary>vzbuild node add IP --user deploy --password-stdin --accept-new -i hosts.ini -g web, the password piped in.</summary>
    public Task<ProcessResult> AddAsync(TestNode node, string? password, params string[] extra) =>
        RunAsync(["node", "add", node.Ip, "--user", "deploy", "--password-stdin", "--accept-new", "-i", Inventory, "-g", "web", .. extra],
            password is null ? [] : Encoding.UTF8.GetBytes(password + "\n"));

    /// <summary>vzbuild node check --json for the node (as the inventory's deploy user); the parsed JSON and the process.</summary>
    public async Task<(ProcessResult Process, JsonElement Node)> CheckAsync(TestNode node)
    {
        var r = await RunAsync(["node", "check", "-i", Inventory, node.Ip, "--json"], []);
        using var doc = JsonDocument.Parse(r.StdOut);
        return (r, doc.RootElement.GetProperty("nodes")[0].Clone());
    }

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> args, byte[] stdin) =>
        ProcessRunner.RunAsync(new ProcessSpec("dotnet", [Dll, .. args])
        {
            Environment = Environment,
            StdIn = stdin,
            Timeout = TimeSpan.FromMinutes(6),
        });

    /// <summary>ssh as <paramref name="user"/> with this operator's key only (never a password), host key checked against this known_hosts.</summary>
    public Task<ProcessResult> SshWithKeyAsync(TestNode node, string user, string command) =>
        ProcessRunner.RunAsync(new ProcessSpec("ssh",
        [
            "-F", "/dev/null", "-i", Key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", $"UserKnownHostsFile={KnownHosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5", $"{user}@{node.Ip}", command,
        ]) { Timeout = TimeSpan.FromMinutes(2) });

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
