using System.Globalization;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// What `vznode facts NAME` reports about a node: how it was made and the cgroups it got
/// at its last boot. <see cref="MemoryController"/> "none" means memory limits cannot be
/// enforced there, so a deploy that needs them must refuse.
/// </summary>
public sealed record NodeFacts(
    NodeRelease Release,
    NodeKind Kind,
    string CgroupMode,
    string MemoryController,
    int? MemoryCapMb,
    bool HasXdelta,
    bool PasswordLogin)
{
    /// <summary>Parses the key=value lines vznode prints; throws naming a missing or unknown value.</summary>
    public static NodeFacts Parse(string text)
    {
        var values = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        string Get(string key) => values.TryGetValue(key, out var v)
            ? v
            : throw new FormatException($"vznode facts: no '{key}=' line in:\n{text}");
        return new NodeFacts(
            Get("release") switch
            {
                "bookworm" => NodeRelease.Bookworm,
                "trixie" => NodeRelease.Trixie,
                var other => throw new FormatException($"vznode facts: unknown release '{other}'"),
            },
            Get("kind") switch
            {
                "full" => NodeKind.Ready,
                "fresh" => NodeKind.Fresh,
                "runc" => NodeKind.NoPodman,
                var other => throw new FormatException($"vznode facts: unknown kind '{other}'"),
            },
            Get("cgroup"),
            Get("memory_controller"),
            Get("memory_cap_mb") is "none" ? null : int.Parse(Get("memory_cap_mb"), CultureInfo.InvariantCulture),
            Get("xdelta") == "yes",
            Get("password_login") == "yes");
    }
}
