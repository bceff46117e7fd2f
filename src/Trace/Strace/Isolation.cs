namespace Vz.Trace.Strace;

/// <summary>
/// Host programs, as absolute paths, that put a root-mode program in its own namespaces before
/// the chroot: an image's PATH (e.g. PATH=/bin) need not reach the host's tools.
/// <paramref name="Ip"/> is null when iproute2 is absent or the host network is kept.
/// </summary>
public sealed record HostTools(string Shell, string Unshare, string Mount, string Cp, string Mkdir, string Chroot, string? Ip)
{
    /// <summary>Bare names, for showing the command line; <see cref="Find"/> gives real paths.</summary>
    public static HostTools Names { get; } = new("sh", "unshare", "mount", "cp", "mkdir", "chroot", "ip");

    public static HostTools Find(bool hostNetwork)
    {
        static string Need(string name, string package) => ProcessRunner.Which(name)
            ?? throw new VzException(TraceErrors.ToolMissing, $"{name} is not installed", $"install {package}");
        return new HostTools(
            Need("sh", "dash or bash"), Need("unshare", "util-linux"), Need("mount", "mount (util-linux)"),
            Need("cp", "coreutils"), Need("mkdir", "coreutils"), Need("chroot", "coreutils"),
            hostNetwork ? null : ProcessRunner.Which("ip"));
    }
}

/// <summary>
/// How root mode runs a program, as a container runtime would, but with strace on the host
/// still following it: <c>unshare --mount --propagation private --pid --fork --uts --ipc [--net]</c>,
/// then a host shell script mounts a fresh procfs (of the new pid namespace) and a minimal
/// tmpfs /dev (null, zero, full, random, urandom, tty copied from the host; no disks) inside
/// the root, brings loopback up, and the last step is <c>chroot ROOT CMD</c>, so the tracker's
/// "paths after chroot" rule still holds. Every mount lives in the private mount namespace:
/// when the program's pid 1 ends the namespace and its mounts go away, nothing to clean up on
/// the host. Not a security boundary against a root program that escapes the chroot (it would
/// see the host's files, though not its processes or devices).
/// </summary>
public static class Isolation
{
    /// <summary>Exit status of the setup script when a step before the chroot fails (podman's 125).</summary>
    public const int SetupFailed = 125;

    // $1 root, $2..$5 host tools, $6 ip or "", then the command. Symlinked proc/dev are skipped:
    // a mount would follow the link out of the root. Few programs, each exec under strace costing ~5-10 ms: device nodes are copied (cp -a
    // makes a node, not a copy of its contents) rather than bind-mounted one by one, with the
    // host's /dev/fd and /dev/std* links when it has them.
    const string Script = """
        r=$1; mount=$2; cp=$3; mkdir=$4; chroot=$5; ip=$6; shift 6
        fail() { echo "vz-isolate: $1" >&2; exit 125; }
        if [ -d "$r/proc" ] && [ ! -L "$r/proc" ]; then
          "$mount" -t proc -o nosuid,nodev,noexec proc "$r/proc" || fail "cannot mount proc at $r/proc"
        fi
        if [ -d "$r/dev" ] && [ ! -L "$r/dev" ]; then
          "$mount" -t tmpfs -o nosuid,noexec,mode=755,size=1m vz-dev "$r/dev" || fail "cannot mount a tmpfs at $r/dev"
          links=
          for l in fd stdin stdout stderr; do [ -L "/dev/$l" ] && links="$links /dev/$l"; done
          "$cp" -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty $links "$r/dev/" \
            && "$mkdir" -m 1777 "$r/dev/shm" && "$mkdir" -m 755 "$r/dev/pts" || fail "cannot populate $r/dev"
        fi
        if [ -n "$ip" ]; then "$ip" link set lo up || fail "cannot bring loopback up"; fi
        exec "$chroot" "$r" "$@"
        """;

    /// <summary>The argv that runs <paramref name="command"/> isolated inside <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Wrap(string root, IReadOnlyList<string> command, HostTools tools, bool hostNetwork)
    {
        var args = new List<string> { tools.Unshare, "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--uts", "--ipc" };
        if (!hostNetwork)
            args.Add("--net");
        args.AddRange(["--", tools.Shell, "-c", Script, "vz-isolate", root, tools.Mount, tools.Cp, tools.Mkdir, tools.Chroot, hostNetwork ? "" : tools.Ip ?? ""]);
        args.AddRange(command);
        return args;
    }
}
