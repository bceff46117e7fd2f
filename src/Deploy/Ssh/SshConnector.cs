using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Ssh;

/// <summary>
/// Opens SSH.NET connections with OpenSSH's trust rules: public-key auth from the user's keys
/// (passphrase asked once per key), host keys checked against known_hosts in HostKeyReceived —
/// unknown hosts refused unless AcceptNew (then recorded), changed keys always refused.
/// </summary>
public sealed class SshConnector(SshOptions options) : INodeConnector
{
    readonly Lock gate = new();
    readonly Dictionary<string, PrivateKeyFile?> keys = new();

    public async Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
    {
        var auth = new PrivateKeyAuthenticationMethod(target.User, LoadKeys(target).ToArray());
        var info = new ConnectionInfo(target.Host, target.Port, target.User, auth) { Timeout = options.ConnectTimeout };

        KnownHosts known;
        lock (gate)
            known = KnownHosts.Load(options.KnownHostsFile);
        PreferKnownKeyTypes(info, known.KeyTypesFor(target.Host, target.Port));

        var ssh = new SshClient(info);
        var sftp = new SftpClient(info);
        string? refusal = null;
        void Check(object? sender, HostKeyEventArgs e)
        {
            var verdict = known.Check(target.Host, target.Port, e.HostKey);
            var fp = KnownHosts.Fingerprint(e.HostKey);
            switch (verdict)
            {
                case HostKeyVerdict.Known:
                    e.CanTrust = true;
                    break;
                case HostKeyVerdict.Unknown when options.AcceptNew:
                    e.CanTrust = true;
                    Record(target, e.HostKey, ref known);
                    break;
                case HostKeyVerdict.Unknown:
                    e.CanTrust = false;
                    refusal = $"host key for {KnownHosts.HostName(target.Host, target.Port)} is not in {options.KnownHostsFile} ({KnownHosts.KeyType(e.HostKey)} {fp})";
                    break;
                default:
                    e.CanTrust = false;
                    refusal = $"HOST KEY CHANGED for {KnownHosts.HostName(target.Host, target.Port)}: the server offered {KnownHosts.KeyType(e.HostKey)} {fp}, which does not match {options.KnownHostsFile}";
                    break;
            }
        }
        ssh.HostKeyReceived += Check;
        sftp.HostKeyReceived += Check;

        async Task Open(BaseClient client, CancellationToken token)
        {
            try
            {
                await client.ConnectAsync(token);
            }
            catch (Exception e) when (!SshTransport.IsOurCancellation(e, token))
            {
                ssh.Dispose();
                sftp.Dispose();
                if (refusal is not null)
                {
                    var changed = refusal.StartsWith("HOST KEY CHANGED");
                    throw new VzException(changed ? DeployErrors.HostKeyChanged : DeployErrors.HostKeyUnknown, refusal,
                        changed
                            ? "if the node was rebuilt, remove its old line from known_hosts (ssh-keygen -R) and push again"
                            : "check the fingerprint, then push with --accept-new to record it");
                }
                if (e is SshAuthenticationException)
                    throw new VzException(DeployErrors.NoUsableKey, $"{target.User}@{target.Host}:{target.Port} refused the keys ({string.Join(", ", target.IdentityFiles.Select(Path.GetFileName))}): {e.Message}", inner: e);
                throw new TransportException($"cannot reach {target.Host}:{target.Port}: {e.Message}", e);
            }
        }

        await Open(ssh, ct);
        sftp.OperationTimeout = TimeSpan.FromMinutes(2);
        // SFTP is a second SSH connection; open it only when something is uploaded.
        return new SshTransport(ssh, sftp, token => Open(sftp, token));
    }

    void Record(NodeTarget target, byte[] key, ref KnownHosts known)
    {
        lock (gate)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(options.KnownHostsFile));
            if (dir is not null)
                Directory.CreateDirectory(dir);
            var existing = File.Exists(options.KnownHostsFile) ? File.ReadAllText(options.KnownHostsFile) : "";
            var sep = existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : "";
            File.AppendAllText(options.KnownHostsFile, sep + KnownHosts.AppendLine(target.Host, target.Port, key) + "\n");
            known = KnownHosts.Load(options.KnownHostsFile);
        }
    }

    /// <summary>
    /// Like OpenSSH, ask for the key types known_hosts already holds for this host, so a server with
    /// several host keys shows the one we can check instead of looking "unknown".
    /// </summary>
    static void PreferKnownKeyTypes(ConnectionInfo info, IReadOnlySet<string> knownTypes)
    {
        if (knownTypes.Count == 0)
            return;
        static string KeyTypeOf(string algorithm) => algorithm.StartsWith("rsa-sha2-") ? "ssh-rsa" : algorithm;
        var drop = info.HostKeyAlgorithms.Keys.Where(a => !knownTypes.Contains(KeyTypeOf(a))).ToList();
        if (drop.Count < info.HostKeyAlgorithms.Count)
            foreach (var a in drop)
                info.HostKeyAlgorithms.Remove(a);
    }

    IEnumerable<PrivateKeyFile> LoadKeys(NodeTarget target)
    {
        var found = false;
        foreach (var path in target.IdentityFiles)
        {
            PrivateKeyFile? key;
            lock (gate)
            {
                if (!keys.TryGetValue(path, out key))
                    keys[path] = key = TryLoad(path);
            }
            if (key is not null)
            {
                found = true;
                yield return key;
            }
        }
        if (!found)
            throw new VzException(DeployErrors.NoUsableKey, $"no usable SSH key for {target.Name} (tried {string.Join(", ", target.IdentityFiles)})",
                "create one with ssh-keygen -t ed25519, or name one with --identity or IdentityFile in ~/.ssh/config");
    }

    PrivateKeyFile? TryLoad(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return new PrivateKeyFile(path);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            // Encrypted key: ask once (the CLI prompts on a terminal); without an answer, skip the key.
            var pass = options.PassphrasePrompt?.Invoke(path);
            if (string.IsNullOrEmpty(pass))
                return null;
            try { return new PrivateKeyFile(path, pass); }
            catch (SshException e) { throw new VzException(DeployErrors.NoUsableKey, $"cannot open key {path}: {e.Message}"); }
        }
        catch (SshException e)
        {
            throw new VzException(DeployErrors.NoUsableKey, $"cannot read key {path}: {e.Message}");
        }
    }
}

/// <summary>
/// An SSH session plus an SFTP channel to one node. Whatever SSH.NET throws is a broken link
/// (it reports one through SshConnectionException, SshException "Client not connected",
/// ObjectDisposedException, InvalidOperationException, SocketException, IOException): it leaves
/// here as a <see cref="TransportException"/>, so no SSH.NET type reaches push or the runner.
/// </summary>
sealed class SshTransport(SshClient ssh, SftpClient sftp, Func<CancellationToken, Task> openSftp) : INodeTransport
{
    public Task<ProcessResult> ExecAsync(string command, CancellationToken ct) => Wire(async () =>
    {
        using var cmd = ssh.CreateCommand(command);
        await cmd.ExecuteAsync(ct);
        return new ProcessResult(cmd.ExitStatus ?? 255, cmd.Result, cmd.Error);
    }, ct);

    public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
    {
        if (!sftp.IsConnected)
            await openSftp(ct);
        var remote = await Wire(async () =>
        {
            var file = await sftp.OpenAsync(remotePath, remoteOffset == 0 ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.Write, ct);
            file.Seek(remoteOffset, SeekOrigin.Begin);
            return file;
        }, ct);
        try
        {
            var buffer = new byte[64 * 1024];
            long sent = 0;
            int n;
            // Reading the local file is not the link: its errors stay what they are.
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                await Wire(async () => { await remote.WriteAsync(buffer.AsMemory(0, n), ct); return 0; }, ct);
                sent += n;
                progress?.Invoke(sent);
            }
            await Wire(async () => { await remote.FlushAsync(ct); return 0; }, ct);
        }
        finally
        {
            await Wire(async () => { await remote.DisposeAsync(); return 0; }, ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            sftp.Dispose();
            ssh.Dispose();
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException)
        {
            // A link already gone cannot be closed politely; nothing is left to release.
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs SSH.NET calls: anything they throw, but the cancellation we asked for, is a broken link.</summary>
    static async Task<T> Wire<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!IsOurCancellation(e, ct))
        {
            throw new TransportException(e is SshException or SocketException or IOException
                ? $"connection lost: {e.Message}"
                : $"connection lost: {e.GetType().Name}: {e.Message}", e);
        }
    }

    internal static bool IsOurCancellation(Exception e, CancellationToken ct) => e is OperationCanceledException && ct.IsCancellationRequested;
}
