namespace Vz.Deploy.Provision;

/// <summary>One change node add makes on a node: a name for the summary, what it does, the script (as root).</summary>
public sealed record ProvisionStep(string Name, string Description, string Script);

/// <summary>
/// Everything a node still needs, in order: <see cref="Steps"/> run first (packages, user, key, sudo,
/// linger, firewall), then vzpatch is copied when <see cref="CopyVzpatch"/>; <see cref="KeysOnly"/>
/// (password logins off) runs only after key login and sudo as the deploy user worked in a second
/// connection. Empty when the node is already as node add leaves it.
/// </summary>
public sealed record ProvisionPlan(IReadOnlyList<ProvisionStep> Steps, bool CopyVzpatch, ProvisionStep? KeysOnly, IReadOnlyList<string> Notes)
{
    public bool NothingToDo => Steps.Count == 0 && !CopyVzpatch && KeysOnly is null;
}

/// <summary>
/// The one place that knows how each supported distribution is prepared: its packages
/// (<see cref="Packages"/>), EPEL, the ssh service, sshd's Include. Pure: from the node's OS and
/// state (<see cref="NodeState"/>) and the request to the plan; unit-tested per distribution.
/// </summary>
public static class ProvisionPlanner
{
    /// <summary>
    /// What a node needs for vz: podman and crun (its runtime), catatonit (kube play's pause
    /// process), uidmap/slirp4netns or passt and fuse-overlayfs (rootless podman), dbus-user-session
    /// (systemctl --user for the deploy user's units), sudo, xdelta3 (push's deltas), and the firewall
    /// tool netavark uses (Debian 12 and Ubuntu's netavark needs iptables and does not pull it in).
    /// </summary>
    public static IReadOnlyList<string> Packages(NodeOs os) => (os.Distro, os.Major) switch
    {
        (Distro.Debian, 12) => ["podman", "crun", "catatonit", "uidmap", "slirp4netns", "fuse-overlayfs", "dbus-user-session", "sudo", "xdelta3", "iptables"],
        (Distro.Debian, _) => ["podman", "crun", "catatonit", "uidmap", "passt", "fuse-overlayfs", "dbus-user-session", "sudo", "xdelta3", "nftables"],
        (Distro.Ubuntu, _) => ["podman", "crun", "catatonit", "uidmap", "slirp4netns", "fuse-overlayfs", "dbus-user-session", "sudo", "xdelta3", "iptables"],
        // EL8: podman 4.9 from the container-tools module; catatonit is podman-catatonit; no xdelta3 anywhere (vzpatch instead).
        (_, 8) => ["podman", "crun", "podman-catatonit", "slirp4netns", "fuse-overlayfs", "sudo", "iptables"],
        // EL9: podman 5 uses passt for rootless networking; xdelta comes from EPEL.
        _ => ["podman", "crun", "catatonit", "passt", "fuse-overlayfs", "sudo", "iptables-nft", "xdelta"],
    };

    /// <summary>The package that gives xdelta3, or null where the distribution has none (EL8).</summary>
    public static string? XdeltaPackage(NodeOs os) => Packages(os).FirstOrDefault(p => p is "xdelta3" or "xdelta");

    /// <summary>What the probe asks about: the packages, and epel-release on the RHEL family.</summary>
    public static IReadOnlyList<string> ProbedPackages(NodeOs os) =>
        os.Family == OsFamily.Rhel ? [.. Packages(os), "epel-release"] : Packages(os);

    public const long SubIdCount = 65536;

    public static ProvisionPlan Plan(NodeOs os, NodeState state, ProvisionRequest request)
    {
        var user = request.User;
        var steps = new List<ProvisionStep>();
        var notes = new List<string>();

        var missing = Packages(os).Where(p => !state.Installed.Contains(p)).ToList();
        if (XdeltaPackage(os) is { } xdelta && missing.Contains(xdelta) && !state.Installed.Contains("epel-release") && os.Family == OsFamily.Rhel)
            steps.Add(new("epel", os.Distro == Distro.Rhel ? $"install EPEL {os.Major} (for xdelta3)" : "install epel-release (for xdelta3)", ProvisionScripts.Epel(os)));
        if (missing.Count > 0)
            steps.Add(new("packages", $"install {string.Join(", ", missing)}", ProvisionScripts.Install(os, missing)));
        if (state.Home is null)
            steps.Add(new("user", $"create user {user}", ProvisionScripts.CreateUser(user)));
        if (!state.SubUid || !state.SubGid)
            steps.Add(new("subids", $"subordinate ids for {user} (rootless podman)", ProvisionScripts.SubIds(user, FreeSubIdStart(state.SubIdRanges), SubIdCount)));
        if (!state.KeyAuthorized)
            steps.Add(new("key", $"authorize the key for {user}", ProvisionScripts.AuthorizeKey(user, request.PublicKey, request.KeyBlob)));
        var sudoers = NodeFiles.Sudoers(user);
        if (state.SudoersSha != NodeFiles.Sha256(sudoers))
            steps.Add(new("sudo", $"passwordless sudo for {user} ({NodeFiles.SudoersPath(user)})", ProvisionScripts.Sudoers(user, sudoers)));
        if (!state.Linger)
            steps.Add(new("linger", $"linger for {user} (its units run without a login)", ProvisionScripts.Linger(user)));
        if (os.Family == OsFamily.Rhel && state.FirewalldActive && !state.FirewallKeepsSsh)
            steps.Add(new("firewall", $"keep ssh port {request.SshPort} open in firewalld", ProvisionScripts.FirewalldKeepSsh(request.SshPort)));

        var copyVzpatch = false;
        if (XdeltaPackage(os) is null)
        {
            if (request.Vzpatch is null)
                notes.Add($"{os.PrettyName} has no xdelta3 and no vzpatch was found beside vzbuild (--vzpatch): push sends this node full uploads until it copies vzpatch itself");
            else
                copyVzpatch = !state.Vzpatch;
        }

        var dropIn = NodeFiles.SshdKeysOnly(user);
        ProvisionStep? keysOnly = null;
        if (state.DropInSha != NodeFiles.Sha256(dropIn) || !state.SshdIncludesDropIns || !state.KeysOnly)
            keysOnly = new("keys-only", "password logins off (sshd: PasswordAuthentication no, PermitRootLogin prohibit-password)",
                ProvisionScripts.KeysOnly(os, dropIn, addInclude: !state.SshdIncludesDropIns));
        return new ProvisionPlan(steps, copyVzpatch, keysOnly, notes);
    }

    /// <summary>The first start at or above 100000 (useradd's SUB_UID_MIN) where <see cref="SubIdCount"/> ids overlap no range given out.</summary>
    public static long FreeSubIdStart(IReadOnlyList<(long Start, long Count)> taken)
    {
        var start = 100000L;
        bool moved;
        do
        {
            moved = false;
            foreach (var (s, c) in taken)
            {
                if (start < s + c && s < start + SubIdCount)
                {
                    start = s + c;
                    moved = true;
                }
            }
        }
        while (moved);
        return start;
    }
}
