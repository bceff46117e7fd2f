using System.Security.Cryptography;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// N test nodes started in parallel under names unique to this fleet, destroyed on
/// dispose. <c>await using var fleet = await TestFleet.StartAsync(2);</c>
/// </summary>
public sealed class TestFleet : IAsyncDisposable
{
    TestFleet(string prefix, IReadOnlyList<TestNode> nodes)
    {
        Prefix = prefix;
        Nodes = nodes;
    }

    /// <summary>Random per fleet, so parallel tests (and parallel helpers) never share a node.</summary>
    public string Prefix { get; }
    public IReadOnlyList<TestNode> Nodes { get; }
    public TestNode this[int index] => Nodes[index];

    /// <summary>Starts <paramref name="count"/> bookworm nodes in parallel; on failure removes the ones that started.</summary>
    public static Task<TestFleet> StartAsync(int count, bool withXdelta = true, int? memoryMb = null) =>
        StartAsync(count, NodeOptions.Bookworm with { WithXdelta = withXdelta, MemoryMb = memoryMb });

    /// <summary>Starts <paramref name="count"/> alike nodes: <c>StartAsync(2, NodeOptions.Trixie)</c>.</summary>
    public static Task<TestFleet> StartAsync(int count, NodeOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return StartAsync(Enumerable.Repeat(options, count).ToList());
    }

    /// <summary>
    /// Starts one node per options, in parallel, in this order:
    /// <c>StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie, NodeOptions.Bookworm)</c>.
    /// </summary>
    public static async Task<TestFleet> StartAsync(params IReadOnlyList<NodeOptions> nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes.Count, 1);
        var prefix = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var names = Enumerable.Range(1, nodes.Count).Select(i => $"{prefix}-{i}").ToList();
        // Each base image is built once, before the parallel starts queue on its lock.
        foreach (var image in nodes.Select(o => o.ImageArgs()).DistinctBy(a => string.Join(' ', a)))
            await VzNode.RunAsync(["image", .. image], environment: null);
        var starts = names.Select((n, i) => TestNode.StartAsync(n, nodes[i])).ToList();
        try
        {
            return new TestFleet(prefix, await Task.WhenAll(starts));
        }
        catch
        {
            await Task.WhenAll(starts.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            await DestroyAsync(names);
            throw;
        }
    }

    /// <summary>An Ansible ini inventory naming every node, host key checking on.</summary>
    public Task<string> InventoryAsync() => VzNode.RunAsync(["inventory", .. Nodes.Select(n => n.Name)]);

    /// <summary>Writes <see cref="InventoryAsync"/> to a file and returns its path.</summary>
    public async Task<string> WriteInventoryAsync(string path)
    {
        // Default encoding: UTF-8 without a BOM, which Ansible would read as part of "[nodes]".
        await File.WriteAllTextAsync(path, await InventoryAsync() + "\n");
        return path;
    }

    public async ValueTask DisposeAsync() => await DestroyAsync(Nodes.Select(n => n.Name));

    static Task DestroyAsync(IEnumerable<string> names) =>
        Task.WhenAll(names.Select(n => VzNode.TryRunAsync(["destroy", n])));
}
