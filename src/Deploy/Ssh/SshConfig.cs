namespace Vz.Deploy.Ssh;

/// <summary>What ~/.ssh/config says about one host: the keywords vz honours.</summary>
public sealed record SshHostConfig(string HostName, string? User, int? Port, IReadOnlyList<string> IdentityFiles);

/// <summary>
/// A small ~/.ssh/config reader for Host, HostName, User, Port and IdentityFile
/// (ssh_config(5)). As in OpenSSH the first value found for a keyword wins, except
/// IdentityFile, which accumulates. Other keywords are ignored; Match blocks never match.
/// </summary>
public sealed class SshConfig
{
    sealed record Block(IReadOnlyList<string> Patterns, List<(string Key, string Value, int Line)> Settings);

    readonly IReadOnlyList<Block> blocks;
    readonly string source;

    SshConfig(IReadOnlyList<Block> blocks, string source)
    {
        this.blocks = blocks;
        this.source = source;
    }

    public static SshConfig Empty { get; } = new([], "(none)");

    /// <summary>The largest ssh config vz reads.</summary>
    public const long MaxBytes = 16 << 20;

    /// <summary>The file's settings; none when it does not exist (as ssh); /dev/null reads as empty (ssh -F /dev/null).</summary>
    public static SshConfig Load(string path) =>
        File.Exists(path) || Directory.Exists(path)
            ? Parse(new StringReader(InputFile.ReadAllText(path, MaxBytes, DeployErrors.BadSshConfig, "ssh config")), path)
            : Empty;

    public static SshConfig Parse(TextReader reader, string source = "ssh config")
    {
        // Lines before the first Host apply to every host.
        var current = new Block(["*"], []);
        var blocks = new List<Block> { current };
        foreach (var (n, line) in ConfigLines.Read(reader, n => new VzException(DeployErrors.BadSshConfig, ConfigLines.TooLong(source, n))))
        {
            var (key, value) = SplitKeyword(line);
            if (value.Length == 0)
                throw new VzException(DeployErrors.BadSshConfig, $"{source}:{n}: {key} needs a value");
            switch (key)
            {
                case "host":
                    current = new Block(Words(value), []);
                    blocks.Add(current);
                    break;
                case "match":
                    current = new Block([], []); // vz does not evaluate Match criteria: such blocks never apply
                    blocks.Add(current);
                    break;
                case "port" when !int.TryParse(value, out var p) || p is < 1 or > 65535:
                    throw new VzException(DeployErrors.BadSshConfig, $"{source}:{n}: Port '{value}' is not a port number");
                default:
                    current.Settings.Add((key, Unquote(value), n));
                    break;
            }
        }
        return new SshConfig(blocks, source);
    }

    /// <summary>Resolves an alias as ssh would: HostName (with %h), User, Port, IdentityFiles (~ expanded).</summary>
    public SshHostConfig Resolve(string alias, string? home = null)
    {
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? hostName = null, user = null;
        int? port = null;
        var identities = new List<string>();
        foreach (var block in blocks.Where(b => HostPattern.MatchesList(b.Patterns, alias)))
        {
            foreach (var (key, value, _) in block.Settings)
            {
                switch (key)
                {
                    case "hostname": hostName ??= value.Replace("%h", alias); break;
                    case "user": user ??= value; break;
                    case "port": port ??= int.Parse(value); break;
                    case "identityfile": identities.Add(ExpandHome(value, home)); break;
                }
            }
        }
        return new SshHostConfig(hostName ?? alias, user, port, identities);
    }

    public override string ToString() => source;

    static (string Key, string Value) SplitKeyword(string line)
    {
        // "Keyword value" or "Keyword=value" (ssh_config(5)).
        var i = line.IndexOfAny([' ', '\t', '=']);
        if (i < 0)
            return (line.ToLowerInvariant(), "");
        var value = line[(i + 1)..].TrimStart(' ', '\t', '=').Trim();
        return (line[..i].ToLowerInvariant(), value);
    }

    static string[] Words(string value) =>
        value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries).Select(Unquote).ToArray();

    static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    internal static string ExpandHome(string path, string home) =>
        path == "~" ? home : path.StartsWith("~/") ? Path.Combine(home, path[2..]) : path;
}
