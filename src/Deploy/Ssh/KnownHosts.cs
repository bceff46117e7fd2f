using System.Security.Cryptography;
using System.Text;

namespace Vz.Deploy.Ssh;

/// <summary>What known_hosts says about a host key the server offered.</summary>
public enum HostKeyVerdict
{
    /// <summary>A line for this host carries exactly this key.</summary>
    Known,
    /// <summary>No line names this host (with this key type).</summary>
    Unknown,
    /// <summary>The host is listed with a different key of the same type, or the key is @revoked.</summary>
    Changed,
}

/// <summary>One known_hosts line: host patterns (or one hashed name), key type and key blob.</summary>
public sealed record KnownHostEntry(IReadOnlyList<string> Patterns, string? HashedSalt, string? HashedName, string KeyType, byte[] Key, bool Revoked, int Line)
{
    /// <summary>
    /// Whether this line names the host. Hosts on a port other than 22 are written "[host]:port";
    /// hashed names are HMAC-SHA1(salt, name) in "|1|salt|hash" form (OpenSSH hostfile.c).
    /// </summary>
    public bool Names(string host, int port)
    {
        var name = KnownHosts.HostName(host, port);
        if (HashedSalt is not null && HashedName is not null)
        {
            using var hmac = new HMACSHA1(Convert.FromBase64String(HashedSalt));
            var hash = Convert.ToBase64String(hmac.ComputeHash(Encoding.ASCII.GetBytes(name)));
            return hash == HashedName;
        }
        return HostPattern.MatchesList(Patterns, name);
    }
}

/// <summary>
/// Parses and checks OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
/// Pure but for <see cref="Load"/> and <see cref="Append"/>: parses from a TextReader; <see cref="AppendLine"/> and
/// <see cref="HashedLine"/> make the line that records a new host.
/// </summary>
public sealed class KnownHosts
{
    public IReadOnlyList<KnownHostEntry> Entries { get; }

    KnownHosts(IReadOnlyList<KnownHostEntry> entries) => Entries = entries;

    public static KnownHosts Empty { get; } = new([]);

    /// <summary>The largest known_hosts file vz reads.</summary>
    public const long MaxBytes = 64 << 20;

    /// <summary>The file's entries; none when it does not exist (a first connection records the host there).</summary>
    public static KnownHosts Load(string path) =>
        File.Exists(path) || Directory.Exists(path)
            ? Parse(new StringReader(InputFile.ReadAllText(path, MaxBytes, DeployErrors.BadKnownHosts, "known_hosts")), path)
            : Empty;

    /// <summary>Malformed lines are skipped, as OpenSSH does, so one bad line cannot lock a user out; a line over the bound is VZ3002.</summary>
    public static KnownHosts Parse(TextReader reader, string source = "known_hosts")
    {
        var entries = new List<KnownHostEntry>();
        foreach (var (n, line) in ConfigLines.Read(reader, n => new VzException(DeployErrors.BadKnownHosts, ConfigLines.TooLong(source, n))))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var revoked = false;
            if (fields[0].StartsWith('@'))
            {
                // @cert-authority lines vouch for certificates, which vz does not use.
                if (fields[0] != "@revoked")
                    continue;
                revoked = true;
                fields = fields[1..];
            }
            if (fields.Length < 3)
                continue;
            byte[] key;
            try { key = Convert.FromBase64String(fields[2]); }
            catch (FormatException) { continue; }

            string? salt = null, hashed = null;
            IReadOnlyList<string> patterns = [];
            if (fields[0].StartsWith("|1|"))
            {
                var parts = fields[0].Split('|');
                if (parts.Length != 4 || !IsBase64(parts[2]) || !IsBase64(parts[3]))
                    continue;
                salt = parts[2];
                hashed = parts[3];
            }
            else
                patterns = fields[0].Split(',', StringSplitOptions.RemoveEmptyEntries);
            entries.Add(new KnownHostEntry(patterns, salt, hashed, fields[1], key, revoked, n));
        }
        return new KnownHosts(entries);
    }

    static bool IsBase64(string s) => s.Length > 0 && Convert.TryFromBase64String(s, new byte[s.Length], out _);

    /// <summary>The name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise.</summary>
    public static string HostName(string host, int port) =>
        port == 22 ? host.ToLowerInvariant() : $"[{host.ToLowerInvariant()}]:{port}";

    /// <summary>Key types recorded for this host, so the client can ask the server for one of them.</summary>
    public IReadOnlySet<string> KeyTypesFor(string host, int port) =>
        Entries.Where(e => !e.Revoked && e.Names(host, port)).Select(e => e.KeyType).ToHashSet();

    public HostKeyVerdict Check(string host, int port, byte[] key)
    {
        var type = KeyType(key);
        var sameType = false;
        foreach (var e in Entries)
        {
            if (e.Revoked && e.Key.AsSpan().SequenceEqual(key))
                return HostKeyVerdict.Changed;
        }
        foreach (var e in Entries.Where(e => !e.Revoked && e.Names(host, port)))
        {
            if (e.Key.AsSpan().SequenceEqual(key))
                return HostKeyVerdict.Known;
            if (e.KeyType == type)
                sameType = true;
        }
        return sameType ? HostKeyVerdict.Changed : HostKeyVerdict.Unknown;
    }

    /// <summary>The line that records a newly accepted host (plain, not hashed, so people can read it).</summary>
    public static string AppendLine(string host, int port, byte[] key) =>
        $"{HostName(host, port)} {KeyType(key)} {Convert.ToBase64String(key)}";

    /// <summary>
    /// The line that records a host hashed, as <c>ssh-keygen -H</c> writes it: "|1|salt|HMAC-SHA1(salt, name)",
    /// so the file does not list where the operator logs in. <paramref name="salt"/> (20 random bytes
    /// when null) is a parameter for tests.
    /// </summary>
    public static string HashedLine(string host, int port, byte[] key, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(20);
        using var hmac = new HMACSHA1(salt);
        var hash = hmac.ComputeHash(Encoding.ASCII.GetBytes(HostName(host, port)));
        return $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)} {KeyType(key)} {Convert.ToBase64String(key)}";
    }

    /// <summary>Appends one line to a known_hosts file (made, with its directory, when missing).</summary>
    public static void Append(string path, string line)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var sep = existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : "";
        File.AppendAllText(path, sep + line + "\n");
    }

    /// <summary>"SHA256:" + unpadded base64 of the key blob's SHA-256, as ssh-keygen -l prints it.</summary>
    public static string Fingerprint(byte[] key) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    /// <summary>The key type is the blob's first SSH string (RFC 4253 section 6.6).</summary>
    public static string KeyType(byte[] key)
    {
        if (key.Length < 4)
            return "";
        var len = (key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3];
        return len > 0 && len <= key.Length - 4 ? Encoding.ASCII.GetString(key, 4, len) : "";
    }
}
