using System.Globalization;

namespace Vz.Integration.Tests.Nodes;

/// <summary>The Debian release a node runs: two generations of podman, as a real fleet has.</summary>
public enum NodeRelease
{
    /// <summary>Debian 12: podman 4.3, no Quadlet, iptables.</summary>
    Bookworm,

    /// <summary>Debian 13: podman 5.4, Quadlet (/usr/libexec/podman/quadlet), nftables.</summary>
    Trixie,
}

/// <summary>What is installed on a node when it starts.</summary>
public enum NodeKind
{
    /// <summary>Podman (runc, cgroupfs), xdelta3, sudo; root logs in with the test key only.</summary>
    Ready,

    /// <summary>
    /// A VPS as delivered: root logs in with a password (<see cref="TestNode.RootPassword"/>), no key;
    /// no podman, xdelta3 or sudo; its package source (/srv/vz-debs) offers them.
    /// </summary>
    Fresh,

    /// <summary>runc, xdelta3, sudo, no podman; root logs in with the test key only.</summary>
    NoPodman,
}

/// <summary>
/// How to start one test node. <c>NodeOptions.Trixie with { Kind = NodeKind.Fresh }</c>.
/// </summary>
public sealed record NodeOptions
{
    public static NodeOptions Bookworm { get; } = new();
    public static NodeOptions Trixie { get; } = new() { Release = NodeRelease.Trixie };

    public NodeRelease Release { get; init; } = NodeRelease.Bookworm;
    public NodeKind Kind { get; init; } = NodeKind.Ready;
    public bool WithXdelta { get; init; } = true;

    /// <summary>Caps the whole node's memory (its containers included), like a small VPS.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>The root password of a fresh node; null: vznode picks a random one.</summary>
    public string? RootPassword { get; init; }

    /// <summary>The release as vznode and Debian name it.</summary>
    public static string ReleaseName(NodeRelease release) => release switch
    {
        NodeRelease.Bookworm => "bookworm",
        NodeRelease.Trixie => "trixie",
        _ => throw new ArgumentOutOfRangeException(nameof(release), release, null),
    };

    /// <summary>The options of `vznode image` that build what such a node stands on.</summary>
    public IReadOnlyList<string> ImageArgs() => ["--release", ReleaseName(Release), .. KindArgs()];

    /// <summary>The options of `vznode start NAME` for such a node.</summary>
    public IReadOnlyList<string> StartArgs()
    {
        if (RootPassword is not null && Kind != NodeKind.Fresh)
            throw new ArgumentException("only a fresh node has a root password", nameof(RootPassword));
        return [.. ImageArgs(), .. WithXdelta ? [] : new[] { "--no-xdelta" }];
    }

    /// <summary>
    /// The environment of `vznode start`: the memory cap and the password travel there, so
    /// the password is not on any command line.
    /// </summary>
    public IReadOnlyDictionary<string, string?> StartEnvironment()
    {
        var env = new Dictionary<string, string?>();
        if (MemoryMb is { } mb)
            env["VZ_NODE_MEMORY_MB"] = mb.ToString(CultureInfo.InvariantCulture);
        if (RootPassword is { } pw)
            env["VZ_NODE_ROOT_PASSWORD"] = pw;
        return env;
    }

    string[] KindArgs() => Kind switch
    {
        NodeKind.Ready => [],
        NodeKind.Fresh => ["--fresh"],
        NodeKind.NoPodman => ["--no-podman"],
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };
}
