using Vz.Deploy.Push;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Provision;

/// <summary>What node add was asked to do, parsed from the command line.</summary>
public sealed record NodeAddOptions
{
    /// <summary>The node as root (host, port, identity files from ~/.ssh/config and --identity).</summary>
    public required NodeTarget Root { get; init; }
    public required string User { get; init; }
    /// <summary>The inventory to add the node to; null: none is written (the line to add is printed).</summary>
    public string? Inventory { get; init; }
    public string Group { get; init; } = "nodes";
    public bool SecurityUpdates { get; init; }
    public VzpatchBinary? Vzpatch { get; init; }
}

/// <summary>
/// How node add asks the operator: whether to trust a new host key (given "ssh-ed25519 SHA256:…"),
/// and for root's password once the keys were refused (null when there is none to give).
/// </summary>
public sealed record NodeAddPrompts(Func<string, bool> TrustNewHostKey, Func<SshPassword?> Password);

/// <summary>What node add did to one node.</summary>
public sealed record NodeAddResult(string Node, NodeOs Os, string User, string LoggedInAs, IReadOnlyList<string> Changes,
    IReadOnlyList<string> Notes, string? HostKeyRecorded, InventoryChange? Inventory)
{
    /// <summary>The node was changed (the inventory and known_hosts are the operator's files, told apart).</summary>
    public bool NodeChanged => Changes.Count > 0;
}

/// <summary>
/// vzbuild node add: from a VPS's root password (or a root key) to a node vz can deploy to, without
/// ever locking the operator out. Order: the host key (trust on first use, recorded hashed) → log in
/// (the deploy user by key, else root by key, else root by password) → os-release (refused before
/// any change) → the node's state → security updates, packages, user, key, sudo, linger, firewall,
/// vzpatch (only what is missing) → a second connection proves key login and sudo as the deploy user
/// → password logins off through an sshd drop-in (checked by sshd -t and -T, then a reload, with the
/// first session still open, and proven again) → the inventory. A failure before the drop-in leaves
/// password login as it was.
/// </summary>
public sealed class NodeAdder(SshConnector connector, SshOptions ssh, IReporter reporter)
{
    public async Task<NodeAddResult> AddAsync(NodeAddOptions options, NodeAddPrompts prompts, CancellationToken ct)
    {
        var root = options.Root with { User = "root" };
        var deployTarget = root with { User = options.User };
        var name = root.Name;
        if (options.Inventory is { } planned)
            InventoryEdit.Check(planned, options.Group, name, InventoryVars(root, options.User)); // before the node is touched
        var recorded = await TrustHostKeyAsync(root, prompts, ct);
        var (publicKey, keyPath) = connector.PublicKey(deployTarget);
        var request = new ProvisionRequest { User = options.User, PublicKey = publicKey, SshPort = root.Port, SecurityUpdates = options.SecurityUpdates, Vzpatch = options.Vzpatch };

        var changes = new List<string>();
        var notes = new List<string>();
        NodeOs os;
        string loggedInAs;
        {
            var login = await LogInAsync(root, deployTarget, prompts, ct);
            await using var node = login.Node;
            loggedInAs = login.How;
            reporter.Progress(name, 0, 0, $"logged in as {loggedInAs}");
            os = NodeOs.Detect(OsRelease.Parse(await ExecAsync(node, "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release", "read /etc/os-release", name, ct)), name);
            reporter.Progress(name, 0, 0, os.PrettyName);

            async Task<string> AsRoot(string script, string doing) => await ExecAsync(node, ProvisionScripts.AsRoot(script, login.AsRoot), doing, name, ct);

            var state = NodeState.Parse(await AsRoot(NodeState.Probe(os, request, ProvisionPlanner.ProbedPackages(os)), "probe the node"));
            if (options.SecurityUpdates)
            {
                reporter.Progress(name, 0, 0, "looking for security updates");
                var pending = SecurityUpdates.Parse(os, await AsRoot(SecurityUpdates.ListScript(os), "list security updates"));
                if (pending.Count > 0)
                {
                    reporter.Progress(name, 0, 0, $"installing {pending.Count} security updates");
                    await AsRoot(SecurityUpdates.InstallScript(os, pending), "install security updates");
                    changes.Add($"security updates: {pending.Count} packages ({string.Join(", ", pending.Take(8))}{(pending.Count > 8 ? ", ..." : "")})");
                }
                else
                    notes.Add("no security updates pending");
            }

            var plan = ProvisionPlanner.Plan(os, state, request);
            notes.AddRange(plan.Notes);
            foreach (var step in plan.Steps)
            {
                reporter.Progress(name, 0, 0, step.Description);
                await AsRoot(step.Script, step.Description);
                changes.Add(step.Description);
            }
            if (plan.CopyVzpatch)
            {
                await CopyVzpatchAsync(node, login.AsRoot, options.User, options.Vzpatch!, name, ct);
                changes.Add($"copied vzpatch (no xdelta3 on {os.PrettyName})");
            }

            try
            {
                await ProveAsync(deployTarget, name, "before password logins go off", waitForSshd: false, ct);
            }
            catch (VzException e) when (e.Error == ProvisionErrors.ProofFailed)
            {
                throw new VzException(e.Error, $"{e.Message}; password login is unchanged", e.Hint, e);
            }
            if (plan.KeysOnly is { } keysOnly)
            {
                reporter.Progress(name, 0, 0, keysOnly.Description);
                var r = await node.ExecAsync(ProvisionScripts.AsRoot(keysOnly.Script, login.AsRoot), ct);
                if (!r.Ok)
                    throw new VzException(r.ExitCode is 3 or 4 or 5 ? ProvisionErrors.SshdRefused : ProvisionErrors.StepFailed,
                        $"{name}: {keysOnly.Description}: {LastLine(r)}; password login is unchanged",
                        r.ExitCode == 4 ? "a setting read before vz's drop-in wins; change it in the file named and run node add again" : null);
                try
                {
                    await ProveAsync(deployTarget, name, "after sshd reloaded", waitForSshd: true, ct);
                }
                catch (VzException e)
                {
                    // The first session is still open: take the drop-in back so nobody is locked out.
                    await node.ExecAsync(ProvisionScripts.AsRoot(ProvisionScripts.KeysOnlyUndo(os), login.AsRoot), ct);
                    throw new VzException(ProvisionErrors.SshdRefused, $"{e.Message}; the drop-in was taken back and password login is on again", inner: e);
                }
                if (login.Password is { } password)
                    await ExpectPasswordRefusedAsync(root, password, name, ct);
                changes.Add(keysOnly.Description);
            }
        }

        InventoryChange? inventory = null;
        if (options.Inventory is { } path)
            inventory = InventoryEdit.ApplyToFile(path, options.Group, name, InventoryVars(root, options.User));
        else
            notes.Add($"no inventory given (-i): add the node as: {name} ansible_user={options.User}{(root.Port != 22 ? $" ansible_port={root.Port}" : "")}");
        notes.Add($"authorized key: {keyPath}");
        return new NodeAddResult(name, os, options.User, loggedInAs, changes, notes, recorded, inventory);
    }

    static List<(string, string)> InventoryVars(NodeTarget root, string user)
    {
        var vars = new List<(string, string)> { ("ansible_user", user) };
        if (root.Port != 22)
            vars.Add(("ansible_port", root.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return vars;
    }

    /// <summary>
    /// The one trust-on-first-use moment: a host not in known_hosts shows its key's SHA256
    /// fingerprint and is recorded hashed once the operator (or --accept-new) trusts it; a changed
    /// key is refused. The key is fetched without logging in, so no connection waits on the answer.
    /// </summary>
    async Task<string?> TrustHostKeyAsync(NodeTarget root, NodeAddPrompts prompts, CancellationToken ct)
    {
        reporter.Progress(root.Name, 0, 0, "reading the host key");
        var key = await connector.FetchHostKeyAsync(root, ct);
        var known = KnownHosts.Load(ssh.KnownHostsFile);
        var shown = $"{KnownHosts.KeyType(key)} {KnownHosts.Fingerprint(key)}";
        var hostName = KnownHosts.HostName(root.Host, root.Port);
        switch (known.Check(root.Host, root.Port, key))
        {
            case HostKeyVerdict.Known:
                return null;
            case HostKeyVerdict.Changed:
                throw new VzException(DeployErrors.HostKeyChanged,
                    $"HOST KEY CHANGED for {hostName}: the server offered {shown}, which does not match {ssh.KnownHostsFile}",
                    "if the VPS was reinstalled, remove its old line (ssh-keygen -R) and run node add again");
        }
        if (!prompts.TrustNewHostKey(shown))
            throw new VzException(DeployErrors.HostKeyUnknown, $"the host key of {hostName} ({shown}) was not accepted; nothing was changed",
                "compare the fingerprint with the one your provider shows, then answer yes, or pass --accept-new");
        try
        {
            KnownHosts.Append(ssh.KnownHostsFile, KnownHosts.HashedLine(root.Host, root.Port, key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(ProvisionErrors.LocalFile, $"cannot record the host key in {ssh.KnownHostsFile}: {e.Message}; nothing was changed", inner: e);
        }
        return $"{hostName} {shown}";
    }

    sealed record Login(INodeTransport Node, bool AsRoot, string How, SshPassword? Password);

    /// <summary>The deploy user by key (a node added before: password logins are off), else root by key, else root by password.</summary>
    async Task<Login> LogInAsync(NodeTarget root, NodeTarget deploy, NodeAddPrompts prompts, CancellationToken ct)
    {
        try
        {
            var node = await connector.ConnectAsync(deploy, ct);
            if ((await node.ExecAsync("sudo -n true", ct)).Ok)
                return new Login(node, false, $"{deploy.User} (key, sudo)", null);
            await node.DisposeAsync();
        }
        catch (VzException e) when (e.Error == DeployErrors.NoUsableKey)
        {
            // Not added yet (no such user or not our key): root next.
        }
        string refusal;
        try
        {
            return new Login(await connector.ConnectAsync(root, ct), true, "root (key)", null);
        }
        catch (VzException e) when (e.Error == DeployErrors.NoUsableKey)
        {
            refusal = e.Message;
        }
        var password = prompts.Password()
            ?? throw new VzException(ProvisionErrors.NoPassword, $"{refusal}, and no root password was given; nothing was changed",
                "pipe it in with --password-stdin, or run node add on a terminal to be asked");
        try
        {
            return new Login(await connector.ConnectAsync(root, password, ct), true, "root (password)", password);
        }
        catch (VzException e) when (e.Error == DeployErrors.NoUsableKey)
        {
            throw new VzException(ProvisionErrors.LoginRefused, $"{root.Name}: root@{root.Host}:{root.Port} refused the password and the keys; nothing was changed",
                "check the root password your provider sent; a node whose password login node add already turned off takes only keys (--identity)", e);
        }
    }

    /// <summary>
    /// A second connection as the deploy user, by key only, and sudo through it: the proof before and
    /// after passwords go off. After a reload sshd re-executes itself and refuses connections for a
    /// moment, so a refused or broken link is tried again for up to 15 s (<paramref name="waitForSshd"/>).
    /// </summary>
    async Task ProveAsync(NodeTarget deploy, string name, string when, bool waitForSshd, CancellationToken ct)
    {
        reporter.Progress(name, 0, 0, $"key login as {deploy.User} and sudo ({when})");
        var deadline = DateTime.UtcNow + (waitForSshd ? TimeSpan.FromSeconds(15) : TimeSpan.Zero);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var second = await connector.ConnectAsync(deploy, ct);
                var r = await second.ExecAsync("sudo -n sh -c 'id -u'", ct);
                if (!r.Ok || r.StdOut.Trim() != "0")
                    throw new VzException(ProvisionErrors.ProofFailed, $"{name}: sudo as {deploy.User} failed {when}: {LastLine(r)}");
                return;
            }
            catch (TransportException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Min(attempt, 4)), ct);
            }
            catch (VzException e) when (e.Error == DeployErrors.NoUsableKey || e is TransportException)
            {
                throw new VzException(ProvisionErrors.ProofFailed, $"{name}: key login as {deploy.User} failed {when}: {e.Message}", inner: e);
            }
        }
    }

    /// <summary>After the reload, root's password must be refused: the proof that passwords are off, not only configured off.</summary>
    async Task ExpectPasswordRefusedAsync(NodeTarget root, SshPassword password, string name, CancellationToken ct)
    {
        reporter.Progress(name, 0, 0, "checking that the root password is refused");
        var passwordOnly = root with { IdentityFiles = [] };
        try
        {
            await using var node = await connector.ConnectAsync(passwordOnly, password, ct);
        }
        catch (VzException e) when (e.Error == DeployErrors.NoUsableKey)
        {
            return;
        }
        throw new VzException(ProvisionErrors.SshdRefused, $"{name}: sshd still takes root's password after the reload",
            "check sshd's Match blocks and the ssh service (systemctl status ssh) on the node");
    }

    async Task CopyVzpatchAsync(INodeTransport node, bool asRoot, string user, VzpatchBinary vzpatch, string name, CancellationToken ct)
    {
        reporter.Progress(name, 0, 0, "copying vzpatch");
        var dir = (await ExecAsync(node, ProvisionScripts.AsRoot(ProvisionScripts.PrepareVzpatch(user), asRoot), "prepare the vzpatch upload", name, ct)).Trim();
        await using (var file = File.OpenRead(vzpatch.LocalPath))
            await node.UploadAsync(file, $"{dir}/{vzpatch.FileName}.part", 0, null, ct);
        await ExecAsync(node, ProvisionScripts.AsRoot(ProvisionScripts.InstallVzpatch(user, dir, vzpatch.FileName, vzpatch.Sha256), asRoot), "install vzpatch", name, ct);
    }

    static async Task<string> ExecAsync(INodeTransport node, string command, string doing, string name, CancellationToken ct)
    {
        var r = await node.ExecAsync(command, ct);
        if (!r.Ok)
            throw new VzException(ProvisionErrors.StepFailed, $"{name}: {doing} failed (exit {r.ExitCode}): {LastLine(r)}",
                "password login is unchanged; fix the cause and run node add again (it does only what is still missing)");
        return r.StdOut;
    }

    static string LastLine(ProcessResult r)
    {
        var text = (r.StdErr.Trim().Length > 0 ? r.StdErr : r.StdOut).Trim();
        return text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "no output";
    }
}
