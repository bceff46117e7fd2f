using System.Globalization;
using System.Text;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Oci;

namespace Vz.Deploy.Runc;

/// <summary>
/// The config.json of a runc pod's release, as a pure function of the pod's manifest, its image's
/// config and the node's plan and layout (umoci's <c>convert.ToRuntimeSpec</c> is the model): the
/// process as Kubernetes would run the container (command/args over the image's entrypoint/cmd,
/// env, working directory, user), its memory and cpu limits, a read-only root (the image version's
/// rootfs, unpacked once and shared by every release that runs it) with tmpfs on /tmp, /var/tmp
/// and /run, the node's /etc/resolv.conf and /etc/hosts, and the pod's volumes bind-mounted; the
/// node's network (no network namespace: the app binds the declared ports itself).
/// runtime-spec 1.0.2: https://github.com/opencontainers/runtime-spec/blob/v1.0.2/config.md
/// </summary>
public static class RuncConfig
{
    /// <summary>runc's container ID for a pod (runc state, runc delete, the unit's commands).</summary>
    public static string ContainerId(string pod) => $"vz-{pod}";

    /// <summary>Annotations vz reads back on the node (ps): the container's name as podman would give it, the image and its ID.</summary>
    public const string ContainerAnnotation = "vz.container";
    public const string ImageAnnotation = "vz.image";
    public const string ImageIdAnnotation = "vz.image.id";

    /// <summary>podman's default capabilities (containers.conf default_capabilities), so an app behaves the same under either runtime.</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
    ];

    /// <summary>Writable scratch on the read-only root, as podman's --read-only gives it.</summary>
    public static readonly IReadOnlyList<RuntimeMount> Scratch =
    [
        new("/run", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=755"]),
        new("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777"]),
        new("/var/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777"]),
    ];

    /// <summary>The node's resolver and names (host network), read-only.</summary>
    public static readonly IReadOnlyList<RuntimeMount> NodeFiles =
    [
        new("/etc/hosts", "bind", "/etc/hosts", ["rbind", "ro"]),
        new("/etc/resolv.conf", "bind", "/etc/resolv.conf", ["rbind", "ro"]),
    ];

    /// <summary>Every namespace of runc's default spec but the network's: runc pods use the node's network.</summary>
    public static readonly IReadOnlyList<RuntimeNamespace> Namespaces = new[] { "pid", "ipc", "uts", "mount" }.Select(t => new RuntimeNamespace(t)).ToArray();

    /// <summary>CFS period for the cpu limit: 100 ms, as podman and Kubernetes use.</summary>
    public const ulong CpuPeriod = 100_000;

    public static RuntimeConfig Create(PodManifest m, RuncImage image, NodeLayout layout, PlatformPlan plan)
    {
        var c = m.Containers.Single();
        var run = image.Config;
        var args = Args(c, run) is { Count: > 0 } a ? a
            : throw new VzException(RuncErrors.BadImageConfig, $"{m.File}:{c.Line}: containers[0]: {image.Name} has no Entrypoint or Cmd and the container no command: nothing to run");
        var user = User(m, c, image);
        var env = Env(run.Env ?? [], c.Env, m.Hostname ?? m.Name, user.Home);
        var caps = Capabilities(c.Security);
        var bounding = caps.ToList();
        var root = user.Uid == 0;
        var added = (c.Security?.CapAdd ?? []).Select(Cap).Where(bounding.Contains).Distinct().ToList();
        return new RuntimeConfig
        {
            Process = new RuntimeProcess
            {
                Terminal = false,
                User = new RuntimeUser { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.Groups.Count == 0 ? null : user.Groups },
                Args = a,
                Env = env,
                Cwd = c.WorkingDir ?? (string.IsNullOrEmpty(run.WorkingDir) ? "/" : run.WorkingDir),
                // A non-root process gets only what the manifest adds, as podman does; the bounding set caps what it may gain.
                Capabilities = new RuntimeCapabilities
                {
                    Bounding = bounding,
                    Effective = root ? bounding : added,
                    Permitted = root ? bounding : added,
                    Ambient = root ? [] : added,
                },
                Rlimits = [new RuntimeRlimit("RLIMIT_NOFILE", RuntimeDefaults.NoFileLimit, RuntimeDefaults.NoFileLimit)],
                NoNewPrivileges = c.Security?.AllowPrivilegeEscalation == false,
            },
            Root = new RuntimeRoot { Path = layout.Rootfs(c.Image, image.ArchiveSha256), Readonly = true },
            Hostname = m.Hostname ?? m.Name,
            Mounts = Mounts(m, c, layout),
            Linux = new RuntimeLinux
            {
                // No network namespace: the node's network, as hostNetwork would give.
                Namespaces = Namespaces,
                MaskedPaths = RuntimeDefaults.MaskedPaths,
                ReadonlyPaths = RuntimeDefaults.ReadonlyPaths,
                Resources = Resources(c.Resources),
                CgroupsPath = CgroupsPath(m.Name, plan),
            },
            Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [ContainerAnnotation] = $"{m.Name}-{c.Name}",
                [ImageAnnotation] = c.Image,
                [ImageIdAnnotation] = image.ConfigDigest,
            },
        };
    }

    /// <summary>
    /// A one-off container of a program in a rootfs (node check's test container): root, no
    /// capabilities, read-only root, runc's default mounts and the node's network.
    /// </summary>
    public static RuntimeConfig Minimal(string rootfs, IReadOnlyList<string> args, string hostname) => new()
    {
        Process = new RuntimeProcess
        {
            Args = args,
            Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            Capabilities = new RuntimeCapabilities(),
            Rlimits = [new RuntimeRlimit("RLIMIT_NOFILE", RuntimeDefaults.NoFileLimit, RuntimeDefaults.NoFileLimit)],
        },
        Root = new RuntimeRoot { Path = rootfs, Readonly = true },
        Hostname = hostname,
        Mounts = RuntimeDefaults.Mounts,
        Linux = new RuntimeLinux
        {
            Namespaces = Namespaces,
            MaskedPaths = RuntimeDefaults.MaskedPaths,
            ReadonlyPaths = RuntimeDefaults.ReadonlyPaths,
        },
    };

    /// <summary>
    /// Where the container's cgroup goes. cgroupfs (v1, hybrid): a child of its unit's cgroup, an
    /// absolute path so every hierarchy agrees (runc would put a relative one at the root of the
    /// hierarchies systemd does not manage for the unit, the unified one of a hybrid host included,
    /// and systemd and journald would not know the container for the unit's). systemd driver (v2: a
    /// child with controllers cannot sit beside runc in the unit's cgroup): a scope of its own.
    /// </summary>
    public static string CgroupsPath(string pod, PlatformPlan plan) =>
        plan.RuncSystemdCgroup ? $"system.slice:vz-runc:{pod}" : $"/system.slice/vz-{pod}.service/{ContainerId(pod)}";

    /// <summary>The config.json text deploy writes into the release (stable bytes: the release ID is their digest).</summary>
    public static string Text(PodManifest m, RuncImage image, NodeLayout layout, PlatformPlan plan) =>
        Encoding.UTF8.GetString(RuntimeConfigJson.Serialize(Create(m, image, layout, plan)));

    /// <summary>Kubernetes' rule: command replaces the entrypoint, args the cmd; args alone go after the entrypoint.</summary>
    public static IReadOnlyList<string> Args(Container c, ImageRunConfig image) => (c.Command, c.Args) switch
    {
        ({ } command, { } args) => [.. command, .. args],
        ({ } command, null) => command,
        (null, { } args) => [.. image.Entrypoint ?? [], .. args],
        _ => [.. image.Entrypoint ?? [], .. image.Cmd ?? []],
    };

    /// <summary>The image's env, then the container's (a name given again replaces it in place), PATH, HOSTNAME and HOME when missing.</summary>
    public static IReadOnlyList<string> Env(IReadOnlyList<string> image, IReadOnlyList<EnvVar> container, string hostname, string home)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string entry)
        {
            if (!values.ContainsKey(name))
                order.Add(name);
            values[name] = entry;
        }
        foreach (var e in image)
            Set(e.Split('=', 2)[0], e.Contains('=') ? e : e + "=");
        foreach (var e in container.Where(e => e.Secret is null))
            Set(e.Name, $"{e.Name}={e.Value}");
        foreach (var (name, value) in new[] { ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), ("HOSTNAME", hostname), ("HOME", home) })
            if (!values.ContainsKey(name))
                Set(name, $"{name}={value}");
        return order.Select(n => values[n]).ToList();
    }

    public sealed record ResolvedUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home);

    /// <summary>
    /// runAsUser/runAsGroup (container over pod), else the image's User ("uid", "uid:gid", "name",
    /// "name:group"; names from the image's own /etc/passwd and /etc/group), else root. A uid without
    /// a group takes its passwd entry's group, else 0 (podman's rule); the groups /etc/group lists the
    /// user in, and supplementalGroups, are added.
    /// </summary>
    public static ResolvedUser User(PodManifest m, Container c, RuncImage image)
    {
        var passwd = Entries(image.Passwd, 7);
        var groups = Entries(image.Group, 4);
        string[]? entry;
        uint uid, gid;
        var parts = (image.Config.User ?? "").Split(':', 2);
        var (spec, specGroup) = (parts[0], parts.Length > 1 ? parts[1] : null);
        var where = $"{m.File}:{c.Line}: containers[0]";
        if (c.EffectiveUser(m.Security) is { } runAs)
        {
            uid = (uint)runAs;
            entry = passwd.FirstOrDefault(p => p[2] == uid.ToString(CultureInfo.InvariantCulture));
            gid = c.EffectiveGroup(m.Security) is { } g ? (uint)g : entry is not null ? uint.Parse(entry[3], CultureInfo.InvariantCulture) : 0;
        }
        else
        {
            if (spec.Length == 0)
                (uid, entry) = (0, passwd.FirstOrDefault(p => p[2] == "0"));
            else if (uint.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
                entry = passwd.FirstOrDefault(p => p[2] == spec);
            else
            {
                entry = passwd.FirstOrDefault(p => p[0] == spec)
                    ?? throw new VzException(RuncErrors.BadImageConfig, $"{where}: {image.Name} runs as user '{spec}', which its /etc/passwd does not list", "set securityContext.runAsUser");
                uid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
            }
            gid = entry is not null ? uint.Parse(entry[3], CultureInfo.InvariantCulture) : 0;
            if (c.EffectiveGroup(m.Security) is { } g)
                gid = (uint)g;
            else if (specGroup is { Length: > 0 })
                gid = uint.TryParse(specGroup, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                    : uint.Parse((groups.FirstOrDefault(x => x[0] == specGroup)
                        ?? throw new VzException(RuncErrors.BadImageConfig, $"{where}: {image.Name} runs as group '{specGroup}', which its /etc/group does not list", "set securityContext.runAsGroup"))[2], CultureInfo.InvariantCulture);
        }
        var member = entry is null ? [] : groups.Where(g => g[3].Split(',').Contains(entry[0])).Select(g => uint.Parse(g[2], CultureInfo.InvariantCulture));
        var extra = member.Concat((m.Security?.SupplementalGroups ?? []).Select(g => (uint)g)).Where(g => g != gid).Distinct().Order().ToList();
        return new ResolvedUser(uid, gid, extra, entry?[5] is { Length: > 0 } home ? home : "/");
    }

    /// <summary>Well-formed lines of a passwd (7 fields) or group (4 fields) file, numeric ids only.</summary>
    static List<string[]> Entries(string? text, int fields) =>
        (text ?? "").Split('\n').Select(l => l.TrimEnd('\r').Split(':'))
            .Where(f => f.Length >= fields && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && (fields != 7 || uint.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            .ToList();

    /// <summary>podman's default set, with the manifest's add and drop ("ALL" drops every one); names as CAP_X, sorted.</summary>
    public static IReadOnlyList<string> Capabilities(ContainerSecurity? s)
    {
        var set = new SortedSet<string>(DefaultCapabilities, StringComparer.Ordinal);
        if (s is null)
            return set.ToList();
        if (s.CapDrop.Contains("ALL"))
            set.Clear();
        else
            set.ExceptWith(s.CapDrop.Select(Cap));
        set.UnionWith(s.CapAdd.Where(a => a != "ALL").Select(Cap));
        return set.ToList();
    }

    static string Cap(string name) => name.StartsWith("CAP_", StringComparison.Ordinal) ? name : "CAP_" + name;

    static RuntimeResources? Resources(Resources r)
    {
        if (r.MemoryLimit is null && r.MemoryRequest is null && r.CpuLimitMillis is null)
            return null;
        return new RuntimeResources
        {
            Memory = r.MemoryLimit is null && r.MemoryRequest is null ? null : new RuntimeMemory { Limit = r.MemoryLimit, Reservation = r.MemoryRequest },
            Cpu = r.CpuLimitMillis is { } cpu ? new RuntimeCpu { Quota = cpu * (long)CpuPeriod / 1000, Period = CpuPeriod } : null,
        };
    }

    /// <summary>
    /// runc's default mounts, scratch tmpfs and the node's resolver files (each unless a volume is
    /// mounted there), then the volumes in path order (a parent before what is mounted inside it).
    /// </summary>
    static IReadOnlyList<RuntimeMount> Mounts(PodManifest m, Container c, NodeLayout layout)
    {
        var volumes = c.Mounts.Select(mount => Volume(m, mount, layout)).OrderBy(v => v.Destination, StringComparer.Ordinal).ToList();
        var taken = volumes.Select(v => v.Destination).ToHashSet(StringComparer.Ordinal);
        return [.. RuntimeDefaults.Mounts, .. Scratch.Concat(NodeFiles).Where(x => !taken.Contains(x.Destination)), .. volumes];
    }

    static RuntimeMount Volume(PodManifest m, VolumeMount mount, NodeLayout layout)
    {
        var source = m.Volumes.Single(v => v.Name == mount.Name).Source;
        var (path, readOnly) = source switch
        {
            HostPathVolume h => (h.Path, mount.ReadOnly),
            ClaimVolume claim => (layout.Volume(claim.ClaimName), mount.ReadOnly),
            SecretVolume s => (layout.SecretDir(m.Name, s.SecretName), true),
            _ => throw new InvalidOperationException($"volume {mount.Name}: {source.GetType().Name}"),
        };
        return new RuntimeMount(mount.MountPath, "bind", path, ["rbind", readOnly ? "ro" : "rw"]);
    }
}
