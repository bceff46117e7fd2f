using System.Text;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Apply;

/// <summary>
/// A node's transport as the deploy uses it: every script has a deadline, and a node that does not
/// answer within it is a broken link (<see cref="TransportException"/>, retried by the fleet runner).
/// An SSH session whose link went down hangs until TCP gives up (many minutes); the deadline is how
/// a deploy notices a cut link mid-script, as the link-cut test does right after a switch.
/// </summary>
public sealed class NodeShell(INodeTransport node, string name)
{
    /// <summary>The deadline of a script that only reads or moves files on the node.</summary>
    public static readonly TimeSpan Quick = TimeSpan.FromMinutes(1);

    public INodeTransport Transport => node;

    public async Task<ProcessResult> RunAsync(string script, TimeSpan limit, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            return await node.ExecAsync(script, deadline.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TransportException($"{name} did not answer within {(int)limit.TotalSeconds}s", e);
        }
    }

    /// <summary>Runs a script and returns its stdout; a non-zero exit is a VZ3021 naming what was being done.</summary>
    public async Task<string> CheckedAsync(string script, string doing, CancellationToken ct, TimeSpan? limit = null)
    {
        var r = await RunAsync(script, limit ?? Quick, ct);
        if (!r.Ok)
            throw new VzException(DeployErrors.NodeCommandFailed, $"{doing}: exit {r.ExitCode}: {LastLine(r)}");
        return r.StdOut;
    }

    /// <summary>Writes text to a node file (over SFTP: never on a command line).</summary>
    public Task UploadAsync(string path, string text, CancellationToken ct) => UploadAsync(path, Encoding.UTF8.GetBytes(text), ct);

    public async Task UploadAsync(string path, byte[] bytes, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Quick);
        try
        {
            await node.UploadAsync(new MemoryStream(bytes, writable: false), path, 0, null, deadline.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TransportException($"{name} did not take an upload within {(int)Quick.TotalSeconds}s", e);
        }
    }

    /// <summary>The last line of stderr (else stdout): what a failed script said last.</summary>
    public static string LastLine(ProcessResult r) =>
        (r.StdErr.Trim().Length > 0 ? r.StdErr : r.StdOut).Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
