using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Ssh;

/// <summary>
/// Opens SSH.NET connections with OpenSSH's trust rules: public-key auth from the user's keys
/// (passphrase asked once per key) or, for node add's first login, a password; host keys checked against
/// known_hosts in HostKeyReceived — unknown hosts refused unless AcceptNew (then recorded), changed keys
/// always refused.
/// </summary>
public sealed class SshConnector(SshOptions options) : INodeConnector
{
    readonly Lock gate = new();
    readonly Dictionary<string, PrivateKeyFile?> keys = new();

    public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) => ConnectAsync(target, null, ct);

    /// <summary>
    /// Like <see cref="ConnectAsync(NodeTarget, CancellationToken)"/>, and with a password also offers
    /// password and keyboard-interactive authentication (node add's first login as root on a new VPS);
    /// the keys are then optional.
    /// </summary>
    public async Task<INodeTransport> ConnectAsync(NodeTarget target, SshPassword? password, CancellationToken ct)
    {
        var keyFiles = password is null ? LoadKeys(target).ToArray() : TryLoadKeys(target).ToArray();
        var methods = new List<AuthenticationMethod>();
        if (keyFiles.Length > 0)
            methods.Add(new PrivateKeyAuthenticationMethod(target.User, keyFiles));
        if (password is not null)
            methods.AddRange(PasswordMethods(target.User, password));
        var info = new ConnectionInfo(target.Host, target.Port, target.User, methods.ToArray()) { Timeout = options.ConnectTimeout };

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
                {
                    var offered = $"the keys ({string.Join(", ", target.IdentityFiles.Select(Path.GetFileName))})";
                    if (password is not null)
                        offered = keyFiles.Length > 0 ? $"the password and {offered}" : "the password";
                    throw new VzException(DeployErrors.NoUsableKey, $"{target.User}@{target.Host}:{target.Port} refused {offered}: {e.Message}", inner: e);
                }
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
            KnownHosts.Append(options.KnownHostsFile, KnownHosts.AppendLine(target.Host, target.Port, key));
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
        var found = TryLoadKeys(target).ToList();
        if (found.Count == 0)
            throw new VzException(DeployErrors.NoUsableKey, $"no usable SSH key for {target.Name} (tried {string.Join(", ", target.IdentityFiles)})",
                "create one with ssh-keygen -t ed25519, or name one with --identity or IdentityFile in ~/.ssh/config");
        return found;
    }

    /// <summary>The target's identity files that exist and open (a passphrase asked once), in order.</summary>
    IEnumerable<PrivateKeyFile> TryLoadKeys(NodeTarget target) => TryLoadKeyPaths(target).Select(k => k.Key);

    IEnumerable<(string Path, PrivateKeyFile Key)> TryLoadKeyPaths(NodeTarget target)
    {
        foreach (var path in target.IdentityFiles)
        {
            PrivateKeyFile? key;
            lock (gate)
            {
                if (!keys.TryGetValue(path, out key))
                    keys[path] = key = TryLoad(path);
            }
            if (key is not null)
                yield return (path, key);
        }
    }

    /// <summary>
    /// The public half of the first key this connector would offer for <paramref name="target"/>, as an
    /// authorized_keys line ("ssh-ed25519 AAAA... comment"), and the file it came from. The comment is the
    /// .pub file's when there is one, else the key file's name.
    /// </summary>
    public (string Line, string Path) PublicKey(NodeTarget target)
    {
        var (path, key) = TryLoadKeyPaths(target).FirstOrDefault();
        if (key is null)
            throw new VzException(DeployErrors.NoUsableKey, $"no usable SSH key to authorize (tried {string.Join(", ", target.IdentityFiles)})",
                "create one with ssh-keygen -t ed25519, or name one with --identity");
        var blob = key.HostKeyAlgorithms.OfType<Renci.SshNet.Security.KeyHostAlgorithm>().First().Data;
        var pub = path + ".pub";
        var comment = File.Exists(pub) && File.ReadAllText(pub).Split(' ', 3, StringSplitOptions.TrimEntries) is [_, var b64, var c]
            && b64 == Convert.ToBase64String(blob) ? c : Path.GetFileName(path);
        return ($"{KnownHosts.KeyType(blob)} {Convert.ToBase64String(blob)} {comment}".TrimEnd(), path);
    }

    /// <summary>
    /// The host key a node offers, without trusting it or logging in (the key exchange is refused at
    /// the host key), for a trust-on-first-use question asked with no connection waiting on the answer.
    /// An unreachable node is a <see cref="TransportException"/>.
    /// </summary>
    public async Task<byte[]> FetchHostKeyAsync(NodeTarget target, CancellationToken ct)
    {
        var info = new ConnectionInfo(target.Host, target.Port, target.User, new NoneAuthenticationMethod(target.User)) { Timeout = options.ConnectTimeout };
        KnownHosts known;
        lock (gate)
            known = KnownHosts.Load(options.KnownHostsFile);
        PreferKnownKeyTypes(info, known.KeyTypesFor(target.Host, target.Port));
        using var ssh = new SshClient(info);
        byte[]? offered = null;
        ssh.HostKeyReceived += (_, e) =>
        {
            offered = e.HostKey;
            e.CanTrust = false;
        };
        try
        {
            await ssh.ConnectAsync(ct);
        }
        catch (Exception e) when (!SshTransport.IsOurCancellation(e, ct))
        {
            if (offered is null)
                throw new TransportException($"cannot reach {target.Host}:{target.Port}: {e.Message}", e);
        }
        return offered ?? throw new TransportException($"{target.Host}:{target.Port} offered no host key");
    }

    /// <summary>Password, then keyboard-interactive answering its password prompts (servers that only offer PAM's prompts).</summary>
    static IEnumerable<AuthenticationMethod> PasswordMethods(string user, SshPassword password)
    {
        yield return new PasswordAuthenticationMethod(user, password.Value);
        var kbd = new KeyboardInteractiveAuthenticationMethod(user);
        kbd.AuthenticationPrompt += (_, e) =>
        {
            foreach (var prompt in e.Prompts)
                prompt.Response = prompt.Request.Contains("assword", StringComparison.Ordinal) ? password.Value : "";
        };
        yield return kbd;
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
