using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Fakes;

/// <summary>
/// A node that is a directory on this machine, for push's unit tests: the commands push sends run
/// through /bin/sh as sshd would run them (HOME is the node's home, PATH holds only the tools this
/// node has), and uploads are writes into its files. Its tools are the host's coreutils and
/// stand-ins written here: podman (records what it loads), xdelta3 and vzpatch (both
/// <c>fakedelta</c>, which applies <see cref="FakeDeltaEncoder"/>'s deltas), uname (says
/// "Linux x86_64", the platform vzpatch is for). No strace, podman or xdelta3 of the host.
/// </summary>
public sealed class LoopbackNode : IDisposable
{
    /// <summary>Coreutils the node scripts and fakedelta use; linked from the host.</summary>
    static readonly string[] BaseTools = ["mkdir", "readlink", "stat", "rm", "mv", "ln", "chmod", "cp", "tail", "dd", "sha256sum"];

    readonly TempDir dir = new("vz-loopback-node-");

    /// <param name="name">The node's name in results.</param>
    /// <param name="xdelta3">Whether the node has xdelta3 (else deltas need vzpatch).</param>
    public LoopbackNode(string name = "node-a", bool xdelta3 = true)
    {
        Name = name;
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Bin);
        foreach (var tool in BaseTools)
            File.CreateSymbolicLink(Path.Combine(Bin, tool),
                ProcessRunner.Which(tool) ?? throw new InvalidOperationException($"this machine has no {tool} (coreutils)"));
        Script("uname", "echo 'Linux x86_64'");
        Script("podman", "echo \"$*\" >> \"$HOME/podman.log\"");
        Script("fakedelta", FakeDeltaEncoder.DecoderScript);
        if (xdelta3)
            Script("xdelta3", "exec fakedelta \"$6\" \"$7\" \"$8\""); // xdelta3 -d -f -B N -s OLD DELTA OUT
    }

    public string Name { get; }
    public string Home => dir["home"];
    string Bin => dir["bin"];

    public NodeTarget Target => new(Name, "loopback", 22, "vz", []);

    /// <summary>The node's image store for an image store name (push's NAME directory).</summary>
    public string StoreDir(string storeName) => Path.Combine(Home, ".vz", "images", storeName);

    /// <summary>The sha256 file the store's current link points at, or null.</summary>
    public string? Current(string storeName)
    {
        var link = new FileInfo(Path.Combine(StoreDir(storeName), "current"));
        return link.Exists ? link.LinkTarget : null;
    }

    /// <summary>Every podman command line the node ran.</summary>
    public IReadOnlyList<string> PodmanRuns =>
        File.Exists(Path.Combine(Home, "podman.log")) ? File.ReadAllLines(Path.Combine(Home, "podman.log")) : [];

    /// <summary>Every command push sent, in order.</summary>
    public List<string> Commands { get; } = [];

    /// <summary>A file in the node's PATH, as a shell script.</summary>
    public void Script(string name, string body)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public INodeConnector Connector() => new LoopbackConnector(this);

    public INodeTransport Open() => new Transport(this);

    public void Dispose() => dir.Dispose();

    sealed class LoopbackConnector(LoopbackNode node) : INodeConnector
    {
        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) => Task.FromResult(node.Open());
    }

    sealed class Transport(LoopbackNode node) : INodeTransport
    {
        public Task<ProcessResult> ExecAsync(string command, CancellationToken ct)
        {
            lock (node.Commands)
                node.Commands.Add(command);
            return ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", command])
            {
                WorkingDirectory = node.Home,
                Environment = new Dictionary<string, string?> { ["HOME"] = node.Home, ["PATH"] = node.Bin },
                Timeout = TimeSpan.FromMinutes(1),
            }, ct);
        }

        public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
        {
            await using var file = new FileStream(remotePath, remoteOffset == 0 ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.Write);
            file.Seek(remoteOffset, SeekOrigin.Begin);
            var buffer = new byte[16 * 1024];
            long sent = 0;
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                sent += n;
                progress?.Invoke(sent);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
