using System.Security.Cryptography;
using System.Text;

namespace Vz.Deploy.Provision;

/// <summary>The files node add writes on a node, as text: pure, so tests read exactly what lands there.</summary>
public static class NodeFiles
{
    /// <summary>
    /// sshd reads sshd_config.d/*.conf in name order and the first value of a keyword wins, so this
    /// name sorts before the distributions' own drop-ins (Ubuntu's 50-cloud-init.conf, which may turn
    /// passwords on). <see cref="ProvisionScripts.KeysOnly"/> still checks what sshd -T makes of it.
    /// </summary>
    public const string SshdDropIn = "/etc/ssh/sshd_config.d/01-vz.conf";

    /// <summary>A sudoers.d file; sudo skips names with a '.' or ending in '~', so a user name never has either (<see cref="DeployUser.Validate"/>).</summary>
    public static string SudoersPath(string user) => $"/etc/sudoers.d/vz-{user}";

    public static string Sudoers(string user) =>
        $"# Written by vzbuild node add: {user} runs commands as root without a password\n" +
        "# (vz manages units, the firewall and linger through sudo -n, with no terminal).\n" +
        $"Defaults:{user} !requiretty\n" +
        $"{user} ALL=(ALL:ALL) NOPASSWD: ALL\n";

    public static string SshdKeysOnly(string user) =>
        $"# Written by vzbuild node add once key login as {user}, and sudo through it, worked:\n" +
        "# keys only from now on. Root keeps the keys it has (none on a new VPS).\n" +
        "PasswordAuthentication no\n" +
        "KbdInteractiveAuthentication no\n" +
        "PermitRootLogin prohibit-password\n";

    /// <summary>sha256 of a file's bytes as sha256sum prints it, to compare what a node holds with what node add would write.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>The deploy user's name: by default the operator's own (as `ssh host` would log in).</summary>
public static class DeployUser
{
    /// <summary>The default: the local user's name; a local root gets no default (node add refuses to make root the deploy user).</summary>
    public static string Default(string localUser) => localUser;

    /// <summary>
    /// A name useradd takes on every supported distribution and sudoers.d can hold: lowercase letters,
    /// digits, '_' and '-', starting with a letter or '_', at most 32. Never root: node add exists to
    /// give deploys a user of their own, with root's password login turned off.
    /// </summary>
    public static string Validate(string user)
    {
        if (user == "root")
            throw new VzException(ProvisionErrors.BadDeployUser, "the deploy user cannot be root: node add makes a user of its own for deploys and turns root's password login off",
                "name one with --user NAME (vzbuild run as root has no other default)");
        var ok = user.Length is > 0 and <= 32 && (char.IsAsciiLetterLower(user[0]) || user[0] == '_')
            && user.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');
        return ok ? user : throw new VzException(ProvisionErrors.BadDeployUser,
            $"'{user}' is not a user name node add can create (lowercase letters, digits, '_' and '-', starting with a letter or '_', at most 32)",
            "name one with --user NAME");
    }
}
