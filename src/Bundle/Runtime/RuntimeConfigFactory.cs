using Vz.Fs;
using Vz.Oci;
using Vz.Trace.Closure;

namespace Vz.Bundle.Runtime;

/// <summary>What a user may choose about the runtime config; everything else is runc's default spec.</summary>
public sealed record RuntimeOptions
{
    /// <summary>The program and its arguments (default: the command recorded in the spec).</summary>
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>KEY=VALUE entries; a key given here replaces the default of the same key.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public string Cwd { get; init; } = "/";
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public string Hostname { get; init; } = "vz";
    /// <summary>Ports the program listens on ("8080", "8080/tcp", "53/udp"); carried into the image config.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
    /// <summary>
    /// The file the traced command's execvp ran (a spec's <c># vz-exec:</c>), inside the root.
    /// When Args[0] is a bare name that the rootfs's PATH finds elsewhere or not at all (a
    /// version manager's shim, ~/.local/bin), the bundle runs this path instead: see
    /// <see cref="RuntimeConfigFactory.PinExecutable"/>.
    /// </summary>
    public string? Executable { get; init; }
}

/// <summary>Builds and checks runtime configs. Building is a pure function of the options.</summary>
public static class RuntimeConfigFactory
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /// <summary>The image-spec's annotation for exposed ports in a runtime config (conversion.md).</summary>
    public const string ExposedPortsAnnotation = "org.opencontainers.image.exposedPorts";
    /// <summary>RLIMIT_NOFILE soft and hard (<see cref="RuntimeDefaults.NoFileLimit"/>).</summary>
    public const ulong NoFileLimit = RuntimeDefaults.NoFileLimit;

    static readonly string[] Caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    // runc's default spec less the cgroup mount (RuntimeDefaults, in Vz.Oci: runc pods take it too).
    public static readonly IReadOnlyList<RuntimeMount> DefaultMounts = RuntimeDefaults.Mounts;
    public static readonly IReadOnlyList<string> MaskedPaths = RuntimeDefaults.MaskedPaths;
    public static readonly IReadOnlyList<string> ReadonlyPaths = RuntimeDefaults.ReadonlyPaths;

    public static RuntimeConfig Create(RuntimeOptions o)
    {
        var ports = o.Ports.Select(NormalizePort).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new RuntimeConfig
        {
            Process = new RuntimeProcess
            {
                Terminal = false,
                User = new RuntimeUser { Uid = o.Uid, Gid = o.Gid },
                Args = o.Args,
                Env = MergeEnv(["PATH=" + DefaultPath], o.Env),
                Cwd = o.Cwd,
                Capabilities = new RuntimeCapabilities { Bounding = Caps, Effective = Caps, Permitted = Caps, Ambient = Caps },
                Rlimits = [new RuntimeRlimit("RLIMIT_NOFILE", NoFileLimit, NoFileLimit)],
                NoNewPrivileges = true,
            },
            Root = new RuntimeRoot { Path = "rootfs" },
            Hostname = o.Hostname,
            Mounts = DefaultMounts,
            Linux = new RuntimeLinux
            {
                Namespaces = new[] { "pid", "network", "ipc", "uts", "mount" }.Select(t => new RuntimeNamespace(t)).ToArray(),
                MaskedPaths = MaskedPaths,
                ReadonlyPaths = ReadonlyPaths,
            },
            Annotations = ports.Length == 0 ? null
                : new SortedDictionary<string, string>(StringComparer.Ordinal) { [ExposedPortsAnnotation] = string.Join(',', ports) },
        };
    }

    /// <summary>Later entries replace earlier ones with the same key; first-seen order is kept.</summary>
    public static IReadOnlyList<string> MergeEnv(IEnumerable<string> defaults, IEnumerable<string> overrides)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in defaults.Concat(overrides))
        {
            var eq = kv.IndexOf('=');
            if (eq <= 0)
                throw new VzException(BundleErrors.BadEnv, $"--env {kv}: expected KEY=VALUE");
            var key = kv[..eq];
            if (!values.ContainsKey(key)) order.Add(key);
            values[key] = kv;
        }
        return order.Select(k => values[k]).ToArray();
    }

    /// <summary>"8080" becomes "8080/tcp"; the protocol must be tcp, udp or sctp.</summary>
    public static string NormalizePort(string port)
    {
        var parts = port.Split('/');
        var proto = parts.Length > 1 ? parts[1].ToLowerInvariant() : "tcp";
        if (parts.Length > 2 || !ushort.TryParse(parts[0], out var n) || n == 0 || proto is not ("tcp" or "udp" or "sctp"))
            throw new VzException(BundleErrors.BadPort, $"port {port}: expected NUMBER or NUMBER/tcp|udp|sctp");
        return $"{n}/{proto}";
    }

    /// <summary>
    /// "UID", "UID:GID", "NAME" or "NAME:GROUP"; names are looked up in the rootfs's
    /// /etc/passwd and /etc/group (the container's, not the host's).
    /// </summary>
    public static (uint Uid, uint Gid) ParseUser(string user, string rootfs)
    {
        var parts = user.Split(':', 2);
        uint uid;
        uint gid = 0;
        if (uint.TryParse(parts[0], out uid))
        {
            // A bare uid takes its primary group from passwd when listed there, else 0 (as podman does).
            if (Lookup(rootfs, "/etc/passwd", f => f[2] == parts[0]) is { } byUid)
                gid = uint.Parse(byUid[3]);
        }
        else
        {
            var entry = Lookup(rootfs, "/etc/passwd", f => f[0] == parts[0])
                ?? throw new VzException(BundleErrors.UnknownUser, $"--user {user}: no user {parts[0]} in the rootfs's /etc/passwd");
            uid = uint.Parse(entry[2]);
            gid = uint.Parse(entry[3]);
        }
        if (parts.Length == 2 && !uint.TryParse(parts[1], out gid))
            gid = uint.Parse((Lookup(rootfs, "/etc/group", f => f[0] == parts[1])
                ?? throw new VzException(BundleErrors.UnknownUser, $"--user {user}: no group {parts[1]} in the rootfs's /etc/group"))[2]);
        return (uid, gid);
    }

    /// <summary>The first well-formed line of a passwd/group file in the rootfs that matches.</summary>
    static string[]? Lookup(string rootfs, string file, Func<string[], bool> match)
    {
        var fs = new RootFs(rootfs);
        var r = fs.Resolve(file);
        if (!r.Is(UnixFileType.Regular))
            return null;
        var minFields = file == "/etc/passwd" ? 4 : 3;
        return File.ReadLines(fs.HostPath(r.Path))
            .Select(l => l.Split(':'))
            .Where(f => f.Length >= minFields && f.Skip(2).Take(minFields - 2).All(n => uint.TryParse(n, out _)))
            .FirstOrDefault(match);
    }

    /// <summary>
    /// Checks a config against the rootfs it will run: `vzbuild bundle` checks the config it made,
    /// `vzbuild image` the config.json of the bundle it is given. ociVersion a runtime-spec 1.x
    /// version, args present and without NUL, cwd absolute, env well formed, and the program exists
    /// and is executable inside the rootfs (found on the config's PATH when it has no slash), with
    /// its interpreter. All problems are reported together.
    /// </summary>
    public static void Validate(RuntimeConfig config, string rootfs, string fileName = "config.json")
    {
        var problems = new List<string>();
        var p = config.Process;
        if (!System.Text.RegularExpressions.Regex.IsMatch(config.OciVersion, @"^1\.[0-9]+\.[0-9]+"))
            problems.Add($"ociVersion '{config.OciVersion}' is not a runtime-spec 1.x version");
        if (p.Args.Count == 0 || string.IsNullOrEmpty(p.Args[0]))
            problems.Add("process.args is empty (give --cmd, or trace with a command)");
        for (var i = 0; i < p.Args.Count; i++)
            if (Unusable(p.Args[i]) is { } why)
                problems.Add($"process.args[{i}] {why}");
        if (!p.Cwd.StartsWith('/'))
            problems.Add($"process.cwd must be absolute, got '{p.Cwd}'");
        else if (Unusable(p.Cwd) is { } badCwd)
            problems.Add($"process.cwd {badCwd}");
        for (var i = 0; i < p.Env.Count; i++)
        {
            if (Unusable(p.Env[i]) is { } why)
                problems.Add($"process.env[{i}] {why}");
            else if (p.Env[i].IndexOf('=') <= 0)
                problems.Add($"process.env entry '{p.Env[i]}' is not KEY=VALUE");
        }
        if (p.Terminal)
            problems.Add("process.terminal must be false (vz runs detached)");
        if (config.Root.Path.Length == 0)
            problems.Add("root.path is empty");
        // Where the program would be looked up is known only from a usable program, cwd and env.
        if (p.Args is [{ Length: > 0 } program, ..] && Unusable(program) is null && p.Cwd.StartsWith('/') && Unusable(p.Cwd) is null
            && p.Env.All(e => Unusable(e) is null) && FindProgram(rootfs, program, p.Cwd, p.Env) is { } missing)
            problems.Add($"process.args[0]: {missing}");
        if (problems.Count > 0)
            throw new VzException(BundleErrors.InvalidConfig, $"{fileName}: {string.Join("; ", problems)}");
    }

    /// <summary>Why a string cannot go to execve(2) (null, or a NUL inside), or null.</summary>
    static string? Unusable(string? value) => value is null ? "is null" : value.Contains('\0') ? "contains a NUL character" : null;

    /// <summary>
    /// Args[0] as the bundle must give it to start the program the trace saw run: unchanged when
    /// it has a slash, when nothing was recorded, or when the rootfs's PATH finds the recorded file;
    /// otherwise (a shim found on a PATH directory the container lacks, or another file of the same
    /// name first on the container's PATH) the recorded <see cref="RuntimeOptions.Executable"/>,
    /// when it is in the rootfs.
    /// </summary>
    public static RuntimeOptions PinExecutable(RuntimeOptions o, string rootfs)
    {
        if (o.Executable is not { } executable || o.Args.Count == 0 || o.Args[0].Contains('/'))
            return o;
        var fs = new RootFs(rootfs);
        var recorded = fs.Resolve(executable);
        if (!recorded.Ok)
            return o;
        var found = fs.Which(o.Args[0], RootFs.SearchPath(PathOf(MergeEnv(["PATH=" + DefaultPath], o.Env))), o.Cwd);
        return found.Resolution?.Path == recorded.Path ? o : o with { Args = [executable, .. o.Args.Skip(1)] };
    }

    static string? PathOf(IEnumerable<string> env) =>
        env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..];

    /// <summary>Null when the program is found as execvp(3) would, with its interpreter; otherwise why not.</summary>
    static string? FindProgram(string rootfs, string program, string cwd, IReadOnlyList<string> env)
    {
        var fs = new RootFs(rootfs);
        var lookup = fs.Which(program, RootFs.SearchPath(PathOf(env) ?? DefaultPath), cwd);
        if (lookup.Resolution is not { } found)
            return lookup.NotExecutable is { } other
                ? $"{program} resolves to {other}, which is not an executable file"
                : $"{program} is not in the rootfs" + (program.Contains('/') ? "" : " on PATH");
        // The kernel also needs the ELF or #! interpreter; a missing one fails as "no such file".
        using var stream = File.OpenRead(fs.HostPath(found.Path));
        if (ProgramFile.Interpreter(stream) is { } interp && !fs.Resolve(interp.StartsWith('/') ? interp : $"{cwd}/{interp}").Ok)
            return $"{found.Path} needs its interpreter {interp}, which is not in the rootfs";
        return null;
    }
}
