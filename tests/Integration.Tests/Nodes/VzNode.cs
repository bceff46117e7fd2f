namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// The seam in front of harness/node/vznode, the script that makes test nodes
/// (systemd, sshd, podman in their own network namespaces; see harness/README.md).
/// Every call goes through <see cref="ProcessRunner"/>.
/// </summary>
public static class VzNode
{
    static readonly Lazy<string> Script = new(FindScript);

    /// <summary>The vznode script: $VZ_NODE_SCRIPT, else harness/node/vznode above the test binaries.</summary>
    public static string ScriptPath => Script.Value;

    /// <summary>Where the test ssh key and known_hosts live ($VZ_TEST_HOME, default /tmp/vz-test-home).</summary>
    public static string TestHome =>
        Environment.GetEnvironmentVariable("VZ_TEST_HOME") is { Length: > 0 } home ? home : "/tmp/vz-test-home";

    /// <summary>The private key every node authorizes for root.</summary>
    public static string SshKeyPath => Path.Combine(TestHome, "id_ed25519");

    /// <summary>Holds each running node's own host key; ssh runs with checking on against it.</summary>
    public static string KnownHostsPath => Path.Combine(TestHome, "known_hosts");

    /// <summary>The first start builds the base image (debootstrap, one to two minutes).</summary>
    static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs vznode and returns its result whatever the exit code.</summary>
    public static Task<ProcessResult> TryRunAsync(
        IReadOnlyList<string> args, byte[]? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        ProcessRunner.RunAsync(new ProcessSpec("bash", [ScriptPath, .. args])
        {
            StdIn = stdin,
            Timeout = timeout ?? DefaultTimeout,
            Environment = environment ?? new Dictionary<string, string?>(),
        });

    /// <summary>Runs vznode and throws with its stderr when it fails.</summary>
    public static Task<string> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>Runs vznode with extra environment (VZ_NODE_MEMORY_MB...) and throws when it fails.</summary>
    public static async Task<string> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment)
    {
        var r = await TryRunAsync(args, environment: environment);
        if (!r.Ok)
            throw new InvalidOperationException(
                $"vznode {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr.Trim()}");
        return r.StdOut.Trim();
    }

    static string FindScript()
    {
        if (Environment.GetEnvironmentVariable("VZ_NODE_SCRIPT") is { Length: > 0 } fromEnv)
            return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "harness", "node", "vznode");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(
            $"harness/node/vznode not found above {AppContext.BaseDirectory}; set VZ_NODE_SCRIPT");
    }
}
