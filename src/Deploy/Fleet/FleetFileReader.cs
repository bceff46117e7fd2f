using System.Text.RegularExpressions;
using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Fleet;

/// <summary>
/// Reads vz.yaml (value in, value out): every key checked, relative paths resolved against the
/// fleet file's directory. Problems are collected and thrown together, as <c>file:line: key: why</c>.
/// </summary>
public static partial class FleetFileReader
{
    // Kubernetes secret keys: letters, digits, '-', '_', '.'.
    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex SecretKeyName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVariable();

    /// <summary>Keys a pod entry accepts (also listed in the README's reference).</summary>
    public static readonly string[] PodKeys = ["name", "manifest", "groups", "images", "health", "runtime", "deadman"];

    public static readonly string[] TopKeys = ["inventory", "pods", "secrets", "rollout"];

    /// <summary>Parses fleet file text; path is its absolute location, home the operator's home (for ~/ in secrets).</summary>
    public static FleetFile Parse(string text, string path, string home)
    {
        var file = Path.GetFileName(path);
        var dir = Path.GetDirectoryName(path)!;
        var problems = new Problems(file);
        var root = StrictYaml.LoadMapping(text, problems, PodErrors.FleetSyntax, "a fleet file");
        if (root is null)
        {
            problems.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }
        var top = new YamlObject(root, "", problems, PodErrors.FleetBadValue, PodErrors.FleetMissingKey);

        var inventory = ReadPath(top, "inventory", dir, required: true);
        var pods = new List<PodEntry>();
        var podItems = top.List("pods", required: true);
        foreach (var item in podItems)
            if (item.Object() is { } p && ReadPod(p, dir) is { } pod)
            {
                if (pods.Any(q => q.Name == pod.Name))
                    problems.Add(PodErrors.FleetBadValue, p.LineOf("name"), p.PathOf("name"), $"pod '{pod.Name}' is declared twice");
                else
                    pods.Add(pod);
            }
        if (top.Has("pods") && podItems.Count == 0)
            top.Problem(PodErrors.FleetMissingKey, "pods", "no pods: list at least one");

        var secrets = new List<SecretDecl>();
        if (top.Object("secrets") is { } s)
            foreach (var (name, line) in s.Keys)
                if (ReadSecret(s, name, line, dir, home) is { } secret)
                    secrets.Add(secret);

        var rollout = top.Object("rollout") is { } r ? ReadRollout(r) : new RolloutSettings();
        top.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, TopKeys));
        problems.ThrowIfAny();
        return new FleetFile
        {
            Path = path,
            Inventory = inventory!,
            InventoryLine = top.LineOf("inventory"),
            Pods = pods,
            Secrets = secrets,
            Rollout = rollout,
        };
    }

    static PodEntry? ReadPod(YamlObject p, string dir)
    {
        var name = p.String("name", required: true);
        if (name is not null && !PodManifestReader.IsDnsLabel(name, 40))
            p.Problem("name", $"'{name}' is not a pod name (a lowercase DNS label of at most 40 characters: it names units and containers)");
        var manifestWritten = p.String("manifest", required: true);
        var manifest = manifestWritten is null ? null : Resolve(p, "manifest", dir, manifestWritten);
        var groups = p.Strings("groups", required: true) ?? [];
        if (p.Has("groups") && groups.Count == 0)
            p.Problem(PodErrors.FleetMissingKey, "groups", "no groups: name at least one inventory group (or all)");
        foreach (var g in groups.GroupBy(g => g).Where(g => g.Count() > 1))
            p.Problem("groups", $"group '{g.Key}' is listed twice");

        var images = new List<ImageArchiveRef>();
        if (p.Object("images", required: true) is { } imgs)
            foreach (var (image, line) in imgs.Keys)
                if (imgs.String(image) is { } archive && Resolve(imgs, image, dir, archive) is { } abs)
                    images.Add(new ImageArchiveRef(image, abs, line));

        var health = p.Object("health") is { } h ? ReadHealth(h) : new HealthSpec(null, HealthSpec.DefaultTimeout);
        var runtime = PodRuntime.Podman;
        switch (p.String("runtime"))
        {
            case null or "podman": break;
            case "runc": runtime = PodRuntime.Runc; break;
            case var other: p.Problem("runtime", $"'{other}': expected podman or runc"); break;
        }
        var deadman = DeadmanDefault(health.Timeout);
        if (p.String("deadman") is { } d)
        {
            if (Duration.Parse(d) is not { } t)
                p.Problem("deadman", $"'{d}' is not a duration (e.g. 3m, 90s)");
            else if (t <= health.Timeout + Units.UnitWriter.StartTimeout)
                p.Problem("deadman", $"{d} is not longer than health.timeout ({Duration.Text(health.Timeout)}) plus the unit's start timeout ({Duration.Text(Units.UnitWriter.StartTimeout)}): the node would restore the old version while vz still checks the new one");
            else
                deadman = t;
        }
        p.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, PodKeys));
        if (name is null || manifest is null)
            return null;
        return new PodEntry
        {
            Name = name,
            Line = p.Line,
            Manifest = manifest,
            ManifestAsWritten = manifestWritten!,
            ManifestLine = p.LineOf("manifest"),
            Groups = groups,
            GroupsLine = p.LineOf("groups"),
            Images = images,
            ImagesLine = p.LineOf("images"),
            Health = health,
            Runtime = runtime,
            Deadman = deadman,
        };
    }

    /// <summary>
    /// The dead-man delay when the fleet file gives none: the unit's stop and start timeouts (the
    /// switch itself: the old version stopping, kube play on a slow node), the health timeout, and a
    /// minute for the confirmation.
    /// </summary>
    public static TimeSpan DeadmanDefault(TimeSpan healthTimeout) =>
        Units.UnitWriter.StopTimeout + Units.UnitWriter.StartTimeout + healthTimeout + TimeSpan.FromMinutes(1);

    static HealthSpec ReadHealth(YamlObject h)
    {
        HealthProbe? probe = null;
        if (h.Object("http") is { } http)
        {
            var port = Port(http);
            var path = http.String("path") ?? "/";
            if (!path.StartsWith('/') || path.Any(c => c <= ' ' || c == 0x7f))
                http.Problem("path", $"'{path}': expected an absolute URL path without spaces or control characters");
            http.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, ["port", "path"]));
            if (port is { } p)
                probe = new HttpProbe(p, path, http.Line);
        }
        if (h.Object("tcp") is { } tcp)
        {
            var port = Port(tcp);
            tcp.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, ["port"]));
            if (probe is not null)
                h.Problem("tcp", "give http or tcp, not both");
            else if (port is { } p)
                probe = new TcpProbe(p, tcp.Line);
        }
        var timeout = HealthSpec.DefaultTimeout;
        if (h.String("timeout") is { } t)
        {
            if (Duration.Parse(t) is { } d && d >= TimeSpan.FromSeconds(1))
                timeout = d;
            else
                h.Problem("timeout", $"'{t}' is not a duration of at least 1s (e.g. 60s, 2m)");
        }
        h.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, ["http", "tcp", "timeout"]));
        return new HealthSpec(probe, timeout);
    }

    static int? Port(YamlObject o)
    {
        var v = o.Integer("port", required: true);
        if (v is null)
            return null;
        if (v is >= 1 and <= 65535)
            return (int)v;
        o.Problem("port", $"{v} is not a port (1-65535)");
        return null;
    }

    static SecretDecl? ReadSecret(YamlObject secrets, string name, int line, string dir, string home)
    {
        if (!PodManifestReader.IsDnsLabel(name, 40))
            secrets.Problem(name, $"'{name}' is not a secret name (a lowercase DNS label of at most 40 characters)");
        var obj = secrets.Object(name);
        if (obj is null)
            return null;
        var keys = new List<SecretKey>();
        foreach (var (key, keyLine) in obj.Keys)
        {
            if (!SecretKeyName().IsMatch(key) || key is "." or "..")
                obj.Problem(key, $"'{key}' is not a secret key (letters, digits, '-', '_', '.'): it becomes a file name");
            var src = obj.Object(key);
            if (src is null)
                continue;
            SecretSource? source = null;
            var filePath = src.String("file");
            var envName = src.String("env");
            if (filePath is not null && envName is not null)
                src.Problem("env", "give file or env, not both");
            else if (filePath is not null)
            {
                var (abs, why) = FleetPaths.Secret(dir, filePath, home);
                if (why is not null)
                    src.Problem(PodErrors.PathEscapes, "file", why);
                else
                    source = new FileSecret(abs!, filePath);
            }
            else if (envName is not null)
            {
                if (EnvVariable().IsMatch(envName))
                    source = new EnvSecret(envName);
                else
                    src.Problem("env", $"'{envName}' is not an environment variable name");
            }
            else
                src.Problems.Add(PodErrors.FleetMissingKey, src.Line, src.Path, "expected file: PATH or env: VARIABLE (where the value comes from on this machine)");
            src.RejectUnread(PodErrors.FleetUnknownKey, k => k == "value"
                ? "a secret's value never goes in the fleet file (it would end up in the repository): use file: or env:"
                : Unknown(k, ["file", "env"]));
            if (source is not null)
                keys.Add(new SecretKey(key, source, keyLine));
        }
        if (obj.Keys.Any() == false)
            secrets.Problem(PodErrors.FleetMissingKey, name, "a secret needs at least one key");
        return new SecretDecl(name, keys, line);
    }

    static RolloutSettings ReadRollout(YamlObject r)
    {
        var result = new RolloutSettings();
        if (r.Integer("canary") is { } canary)
        {
            if (canary < 0) r.Problem("canary", $"{canary}: expected 0 or more nodes");
            else result = result with { Canary = (int)Math.Min(canary, int.MaxValue) };
        }
        if (r.Integer("batch") is { } batch)
        {
            if (batch < 0) r.Problem("batch", $"{batch}: expected 0 (all at once) or more nodes");
            else result = result with { Batch = (int)Math.Min(batch, int.MaxValue) };
        }
        if (r.String("lockWait") is { } lw)
        {
            if (Duration.Parse(lw) is { } d) result = result with { LockWait = d };
            else r.Problem("lockWait", $"'{lw}' is not a duration (e.g. 60s, 0s)");
        }
        r.RejectUnread(PodErrors.FleetUnknownKey, k => Unknown(k, ["canary", "batch", "lockWait"]));
        return result;
    }

    static string? ReadPath(YamlObject o, string key, string dir, bool required)
    {
        var written = o.String(key, required);
        return written is null ? null : Resolve(o, key, dir, written);
    }

    static string? Resolve(YamlObject o, string key, string dir, string written)
    {
        var (abs, why) = FleetPaths.Inside(dir, written);
        if (why is not null)
            o.Problem(PodErrors.PathEscapes, key, why);
        return abs;
    }

    static string Unknown(string key, string[] known)
    {
        var near = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || k.StartsWith(key, StringComparison.OrdinalIgnoreCase) || key.StartsWith(k, StringComparison.OrdinalIgnoreCase));
        return near is null ? $"unknown key (expected one of: {string.Join(", ", known)})" : $"unknown key (did you mean '{near}'?)";
    }
}
