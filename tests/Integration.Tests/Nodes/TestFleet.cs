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

    /// <summary>Starts <paramref name="count"/> nodes in parallel; on failure removes the ones that started.</summary>
    public static async Task<TestFleet> StartAsync(int count, bool withXdelta = true, int? memoryMb = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var prefix = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var names = Enumerable.Range(1, count).Select(i => $"{prefix}-{i}").ToList();
        // The base image is built once, before the parallel starts queue on its lock.
        await VzNode.RunAsync("image");
        var starts = names.Select(n => TestNode.StartAsync(n, withXdelta, memoryMb)).ToList();
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
