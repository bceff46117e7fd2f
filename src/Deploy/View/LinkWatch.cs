using System.Collections.Concurrent;
using Vz.Deploy.Transport;

namespace Vz.Deploy.View;

/// <summary>
/// A connector that remembers which nodes' last attempt ended on a missing or broken link, so a
/// view can say "unreachable" (the VPS vanished, its link is down) apart from a node that answered
/// and failed. The fleet runner opens the connection, so a failed connect never reaches the step.
/// </summary>
public sealed class LinkWatch(INodeConnector inner) : INodeConnector
{
    readonly ConcurrentDictionary<string, bool> lost = new(StringComparer.Ordinal);

    public bool Lost(string node) => lost.ContainsKey(node);

    /// <summary>Runs a step's body, marking the node lost when it ends on a broken link (NodeShell's deadlines throw one too).</summary>
    public async Task<T> Watch<T>(string node, Func<Task<T>> body)
    {
        try { return await body(); }
        catch (TransportException) { lost[node] = true; throw; }
    }

    public async Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
    {
        try
        {
            var node = await inner.ConnectAsync(target, ct);
            lost.TryRemove(target.Name, out _);
            return new Watched(node, this, target.Name);
        }
        catch (TransportException)
        {
            lost[target.Name] = true;
            throw;
        }
    }

    sealed class Watched(INodeTransport node, LinkWatch watch, string name) : INodeTransport
    {
        public async Task<ProcessResult> ExecAsync(string command, CancellationToken ct)
        {
            try { return await node.ExecAsync(command, ct); }
            catch (TransportException) { watch.lost[name] = true; throw; }
        }

        public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
        {
            try { await node.UploadAsync(source, remotePath, remoteOffset, progress, ct); }
            catch (TransportException) { watch.lost[name] = true; throw; }
        }

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
