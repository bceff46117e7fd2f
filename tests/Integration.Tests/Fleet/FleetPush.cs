using System.Text.Json;
using Vz.Deploy.Push;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Fleet;

/// <summary>One node's line of <c>vzbuild push --json</c>.</summary>
public sealed record PushedNode(string Node, bool Ok, string Mode, long BytesSent, long ResumedFrom, string? Error, IReadOnlyList<string> Notes);

/// <summary>What a <c>vzbuild push --json</c> run printed and returned.</summary>
public sealed record PushRun(ProcessResult Process, IReadOnlyList<PushedNode> Nodes)
{
    public int ExitCode => Process.ExitCode;
    public PushedNode this[TestNode node] => Nodes.Single(n => n.Node == PushCli.Target(node));
    public override string ToString() => $"exit {Process.ExitCode}\nstdout: {Process.StdOut}\nstderr (tail): {Tail(Process.StdErr)}";
    static string Tail(string s) => string.Join('\n', s.Split('\n').TakeLast(15));
}

/// <summary>
/// Runs the built vzbuild push against harness nodes with the harness's key and known_hosts
/// (VZ_SSH_IDENTITY, VZ_KNOWN_HOSTS), no ssh config, and a master cache of the test's own.
/// vzbuild runs from the test binaries, where no vzpatch lies beside it: nodes without xdelta3
/// get vzpatch only when <paramref name="vzpatch"/> is given (VZ_VZPATCH).
/// </summary>
public sealed class PushCli(string cacheDir, string? knownHosts = null, string? vzpatch = null)
{
    static string Dll => Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");

    public static string Target(TestNode node) => $"{node.User}@{node.Ip}";

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["VZ_KNOWN_HOSTS"] = knownHosts ?? VzNode.KnownHostsPath,
        ["VZ_SSH_IDENTITY"] = VzNode.SshKeyPath,
        ["VZ_SSH_CONFIG"] = "/dev/null",
        ["VZ_CACHE_DIR"] = cacheDir,
        ["VZ_VZPATCH"] = vzpatch ?? "",
    };

    public async Task<PushRun> PushAsync(BuiltImage image, IEnumerable<TestNode> nodes, params string[] extra)
    {
        string[] args = [Dll, "push", image.Archive, "--json", .. nodes.SelectMany(n => new[] { "--to", Target(n) }), .. extra];
        var r = await ProcessRunner.RunAsync(new ProcessSpec("dotnet", args)
        {
            Environment = Environment,
            // Bounded: a push that hangs fails the test instead of the CI job.
            Timeout = TimeSpan.FromMinutes(3),
        });
        return new PushRun(r, Parse(r.StdOut));
    }

    public Task<PushRun> PushAsync(BuiltImage image, TestNode node, params string[] extra) => PushAsync(image, [node], extra);

    static IReadOnlyList<PushedNode> Parse(string json)
    {
        if (!json.TrimStart().StartsWith('{'))
            return [];
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("nodes").EnumerateArray().Select(n => new PushedNode(
            n.GetProperty("node").GetString()!,
            n.GetProperty("ok").GetBoolean(),
            n.GetProperty("mode").GetString()!,
            n.GetProperty("bytesSent").GetInt64(),
            n.GetProperty("resumedFrom").GetInt64(),
            n.GetProperty("error").GetString(),
            n.GetProperty("notes").EnumerateArray().Select(x => x.GetString()!).ToList())).ToList();
    }
}

/// <summary>Reads a node's state from inside it (vznode exec: no ssh, so it works while links are cut).</summary>
public static class NodeState
{
    public static async Task<string> ExecAsync(TestNode node, string script)
    {
        var r = await VzNode.TryRunAsync(["exec", node.Name, "sh", "-c", script], timeout: TimeSpan.FromMinutes(1));
        if (!r.Ok)
            throw new InvalidOperationException($"on {node.Name}: '{script}' exited {r.ExitCode}: {r.StdErr.Trim()}");
        return r.StdOut.Trim();
    }

    /// <summary>The manifest digest podman on the node has for an image name, or "" when it has none.</summary>
    public static async Task<string> DigestAsync(TestNode node, string image) =>
        await ExecAsync(node, $"podman image inspect --format '{{{{.Digest}}}}' {image} 2>/dev/null || true");

    /// <summary>"NAME DIGEST" for every image of a repository prefix podman on the node holds.</summary>
    public static async Task<IReadOnlyList<(string Name, string Digest)>> ImagesAsync(TestNode node, string repoPrefix) =>
        (await ExecAsync(node, "podman images --format '{{.Repository}}:{{.Tag}} {{.Digest}}'"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split(' '))
        .Where(p => p.Length == 2 && p[0].StartsWith(repoPrefix))
        .Select(p => (p[0], p[1]))
        .ToList();

    /// <summary>The node runs this image's exact manifest, and its current archive is this one, whole.</summary>
    public static async Task AssertHoldsAsync(TestNode node, BuiltImage image)
    {
        Assert.Equal(image.ManifestDigest, await DigestAsync(node, image.Name));
        Assert.Equal((NodeScripts.ArchiveFile(image.Sha256), image.Sha256), await CurrentAsync(node, image));
    }

    /// <summary>The node's store directory for an image (vz's default store, root's home).</summary>
    public static string StoreDir(BuiltImage image) => $"/root/.vz/images/{ImageArchive.StoreNameOf(image.Name)}";

    /// <summary>Where current points, and the sha256 of what it points at ("" when absent).</summary>
    public static async Task<(string Link, string Sha)> CurrentAsync(TestNode node, BuiltImage image)
    {
        var dir = StoreDir(image);
        var link = await ExecAsync(node, $"readlink {dir}/current || true");
        var sha = link.Length == 0 ? "" : (await ExecAsync(node, $"sha256sum < {dir}/{link}")).Split(' ')[0];
        return (link, sha);
    }
}
