namespace Vz.Deploy.Ssh;

/// <summary>
/// Where vz's SSH client finds its files. Defaults are the user's ~/.ssh; each can be overridden
/// (CLI options or VZ_SSH_CONFIG, VZ_KNOWN_HOSTS, VZ_SSH_IDENTITY) so tests use their own.
/// </summary>
public sealed record SshOptions
{
    public string ConfigFile { get; init; } = Env("VZ_SSH_CONFIG") ?? InHome(".ssh/config");
    public string KnownHostsFile { get; init; } = Env("VZ_KNOWN_HOSTS") ?? InHome(".ssh/known_hosts");
    /// <summary>Identity files used for every node instead of ssh config and the defaults; empty for none.</summary>
    public IReadOnlyList<string> IdentityFiles { get; init; } =
        Env("VZ_SSH_IDENTITY")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
    /// <summary>Record the key of a host not yet in known_hosts instead of refusing it.</summary>
    public bool AcceptNew { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Asks for a key's passphrase (given the key path); null when nobody can answer.</summary>
    public Func<string, string?>? PassphrasePrompt { get; init; }

    /// <summary>The keys ssh tries when nothing names one (ssh(1) -i), newest kinds first.</summary>
    public static IReadOnlyList<string> DefaultIdentityFiles =>
        new[] { "id_ed25519", "id_ecdsa", "id_rsa" }.Select(f => InHome(".ssh/" + f)).ToList();

    static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    static string InHome(string rel) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), rel);
}
