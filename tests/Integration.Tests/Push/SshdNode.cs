using System.Net;
using System.Net.Sockets;
using Vz.Deploy.Transport;

namespace Vz.Integration.Tests.Push;

/// <summary>
/// A loopback "node": a real OpenSSH sshd on 127.0.0.1 with its own host key, authorized key and
/// image store in a temp dir. Push tests talk to it exactly as to a VPS; podman on it is the host's,
/// pointed at a CONTAINERS_CONF file (runc, cgroupfs) through the node settings.
/// </summary>
public sealed class SshdNode : IDisposable
{
    public string Dir { get; }
    public int Port { get; }
    public string HostKey => Path.Combine(Dir, $"host_{keyType}");
    public string ClientKey => Path.Combine(Dir, $"client_{keyType}");
    readonly string keyType;
    public string KnownHosts => Path.Combine(Dir, "known_hosts");
    public string Store => Path.Combine(Dir, "store");
    public string ContainersConf => Path.Combine(Dir, "containers.conf");
    System.Diagnostics.Process? sshd;

    /// <param name="keyType">ssh-keygen -t for both the host key and the client key.</param>
    /// <param name="hideTools">Programs the node's PATH lacks (a node without xdelta3 or zstd).</param>
    public SshdNode(string name = "node", string keyType = "ed25519", string[]? hideTools = null)
    {
        this.keyType = keyType;
        hideTools ??= [];
        if (ProcessRunner.Which("/usr/sbin/sshd") is null || ProcessRunner.Which("ssh-keygen") is null)
            throw new InvalidOperationException("openssh-server is not installed: run bash harness/install-packages.sh");
        Dir = Directory.CreateTempSubdirectory($"vz-deploy-{name}-").FullName;
        Port = FreePort();
        Keygen(HostKey);
        Keygen(ClientKey);
        File.Copy(ClientKey + ".pub", Path.Combine(Dir, "authorized_keys"));
        File.WriteAllText(ContainersConf, """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            """);
        File.WriteAllText(Path.Combine(Dir, "sshd_config"), $"""
            ListenAddress 127.0.0.1
            HostKey {HostKey}
            PidFile none
            AuthorizedKeysFile {Path.Combine(Dir, "authorized_keys")}
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            Subsystem sftp internal-sftp
            LogLevel ERROR
            {(hideTools.Length > 0 ? $"SetEnv PATH={PathWithout(hideTools)}" : "")}
            """);
        // Record the node's real host key, as an operator would after checking it.
        File.WriteAllText(KnownHosts, $"[127.0.0.1]:{Port} {File.ReadAllText(HostKey + ".pub").Split(' ')[0]} {File.ReadAllText(HostKey + ".pub").Split(' ')[1]}\n");
        Start();
    }

    /// <summary>This node as a push target, with its own store and podman settings.</summary>
    public NodeTarget Target(string? name = null) =>
        new(name ?? $"node-{Port}", "127.0.0.1", Port, Environment.UserName, [ClientKey])
        {
            Settings = Settings,
        };

    public NodeSettings Settings => new()
    {
        Store = Store,
        Runtime = "runc",
        CgroupManager = "cgroupfs",
        Env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = ContainersConf },
    };

    public void Start()
    {
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/sbin/sshd")
        {
            ArgumentList = { "-D", "-e", "-f", Path.Combine(Dir, "sshd_config"), "-p", Port.ToString() },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        sshd = System.Diagnostics.Process.Start(psi)!;
        sshd.ErrorDataReceived += (_, _) => { };
        sshd.BeginErrorReadLine();
        sshd.OutputDataReceived += (_, _) => { };
        sshd.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !sshd.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Kills sshd and every session it forked (a link that vanished mid-transfer).</summary>
    public void Stop()
    {
        if (sshd is null || sshd.HasExited)
            return;
        foreach (var pid in Enumerable.Reverse(Descendants(sshd.Id)))
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        sshd.Kill();
        sshd.WaitForExit();
        sshd.Dispose();
        sshd = null;
    }

    static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1]);
            }
            catch (IOException) { }
        }
        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var p))
            foreach (var (child, parent) in parents)
                if (parent == p)
                {
                    result.Add(child);
                    frontier.Enqueue(child);
                }
        return result;
    }

    /// <summary>A bin directory linking every system program except the hidden ones.</summary>
    string PathWithout(string[] hidden)
    {
        var bin = Path.Combine(Dir, "bin");
        Directory.CreateDirectory(bin);
        foreach (var dir in new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                var link = Path.Combine(bin, Path.GetFileName(file));
                if (!hidden.Contains(Path.GetFileName(file)) && !File.Exists(link))
                    File.CreateSymbolicLink(link, file);
            }
        }
        return bin;
    }

    void Keygen(string path) =>
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "ssh-keygen", "-q", "-t", keyType, "-N", "", "-C", "vz-test", "-f", path);

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
