using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Fakes;

/// <summary>A connector in front of another that breaks its links on purpose, and counts connections.</summary>
public sealed class FaultyConnector(INodeConnector inner) : INodeConnector
{
    int connects, corrupted, dropped;

    /// <summary>The first upload to a node path this matches arrives with one byte flipped: a link that corrupts silently.</summary>
    public Func<string, bool>? CorruptUploadTo { get; init; }

    /// <summary>The first upload stops after this many bytes with a <see cref="TransportException"/>: the link dropped.</summary>
    public long? DropFirstUploadAfter { get; init; }

    /// <summary>Every command throws this instead of running: a bug in the code behind the transport.</summary>
    public Func<Exception>? ExecThrows { get; init; }

    public int Connects => connects;
    public int Corrupted => corrupted;
    public int Dropped => dropped;

    public async Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
    {
        Interlocked.Increment(ref connects);
        return new Transport(await inner.ConnectAsync(target, ct), this);
    }

    sealed class Transport(INodeTransport inner, FaultyConnector owner) : INodeTransport
    {
        public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) =>
            owner.ExecThrows is { } bug ? throw bug() : inner.ExecAsync(command, ct);

        public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
        {
            if (owner.DropFirstUploadAfter is { } limit && Interlocked.CompareExchange(ref owner.dropped, 1, 0) == 0)
            {
                var head = new byte[limit];
                var n = await source.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
                await inner.UploadAsync(new MemoryStream(head, 0, n), remotePath, remoteOffset, progress, ct);
                throw new TransportException($"connection lost: the test dropped the link after {n} bytes");
            }
            if (owner.CorruptUploadTo?.Invoke(remotePath) == true && Interlocked.CompareExchange(ref owner.corrupted, 1, 0) == 0)
            {
                var bytes = new MemoryStream();
                await source.CopyToAsync(bytes, ct);
                var buf = bytes.ToArray();
                buf[buf.Length / 2] ^= 0x5a;
                source = new MemoryStream(buf);
            }
            await inner.UploadAsync(source, remotePath, remoteOffset, progress, ct);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
