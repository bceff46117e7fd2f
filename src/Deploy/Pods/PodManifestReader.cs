using System.Net;
using System.Text.RegularExpressions;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Pods;

/// <summary>
/// Reads and validates a Pod manifest (value in, value out). Every problem is collected with
/// <c>file:line: field.path: why</c> and thrown together as an <see cref="InvalidInputException"/>.
/// </summary>
public static partial class PodManifestReader
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    /// <summary>A lowercase DNS label (RFC 1123) of at most max characters: names of pods, containers, volumes, secrets.</summary>
    public static bool IsDnsLabel(string s, int max = 63) => s.Length <= max && DnsLabel().IsMatch(s);

    // An image reference as podman stores a loaded one: localhost/path[:tag][@sha256:hex].
    [GeneratedRegex("^localhost/[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex LocalImage();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex ClaimName();

    // Words that mean the same to podman 4.3 (joined, then run by /bin/sh -c) and 5.x (exec'd as a list).
    [GeneratedRegex("^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex PlainWord();

    [GeneratedRegex("^(CAP_)?[A-Z_]+$")]
    private static partial Regex Capability();

    public static PodManifest Parse(string text, string file)
    {
        var problems = new Problems(file);
        var root = StrictYaml.LoadMapping(text, problems, PodErrors.ManifestSyntax, "a Kubernetes Pod");
        if (root is null)
        {
            problems.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }
        var top = new YamlObject(root, "", problems, PodErrors.BadValue, PodErrors.MissingField);
        var manifest = ReadTop(top, file, new Dictionary<object, string>(ReferenceEqualityComparer.Instance));
        problems.ThrowIfAny();
        return manifest!;
    }

    static PodManifest? ReadTop(YamlObject top, string file, Dictionary<object, string> paths)
    {
        var apiVersion = top.String("apiVersion", required: true);
        if (apiVersion is not null && apiVersion != "v1")
            top.Problem("apiVersion", $"'{apiVersion}': expected v1 (a Pod)");
        var kind = top.String("kind", required: true);
        if (kind is not null && kind != "Pod")
            top.Problem("kind", $"'{kind}': vz deploys kind Pod (one per manifest file)");

        var meta = top.Object("metadata", required: true);
        var name = meta?.String("name", required: true);
        if (name is not null && !IsDnsLabel(name))
            meta!.Problem("name", $"'{name}' is not a lowercase DNS label (a-z, 0-9, '-', at most 63)");
        var labels = meta?.StringMap("labels") ?? [];
        var annotations = meta?.StringMap("annotations") ?? [];
        foreach (var (k, _, line) in annotations)
            if (k.StartsWith("io.podman.") || k.StartsWith("io.containers.") || k.StartsWith("io.kubernetes.cri-o."))
                top.Problems.Add(PodErrors.UnknownField, line, $"metadata.annotations.{k}",
                    "not accepted: podman reads this annotation as a setting, which vz decides per node");
        meta?.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("metadata", k));

        var spec = top.Object("spec", required: true);
        top.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("top", k));
        if (spec is null)
            return null;

        var restart = RestartPolicy.Always;
        switch (spec.String("restartPolicy"))
        {
            case null or "Always": break;
            case "OnFailure": restart = RestartPolicy.OnFailure; break;
            case "Never":
                spec.Problem("restartPolicy", "'Never': vz runs services that come back after a crash; use Always or OnFailure");
                break;
            case var other:
                spec.Problem("restartPolicy", $"'{other}': expected Always or OnFailure");
                break;
        }
        var hostname = spec.String("hostname");
        if (hostname is not null && !IsDnsLabel(hostname))
            spec.Problem("hostname", $"'{hostname}' is not a lowercase DNS label");
        var share = spec.Bool("shareProcessNamespace");
        var aliases = spec.List("hostAliases").Select(ReadAlias).OfType<HostAlias>().ToList();
        var podSecurity = spec.Object("securityContext") is { } sc ? ReadPodSecurity(sc) : null;
        var volumes = spec.List("volumes").Select(i => ReadVolume(i, paths)).OfType<Volume>().ToList();
        var containerItems = spec.List("containers", required: true);
        if (containerItems.Count == 0 && spec.Has("containers"))
            spec.Problem(PodErrors.MissingField, "containers", "a pod needs at least one container");
        var containers = containerItems.Select(i => ReadContainer(i, paths)).OfType<Container>().ToList();
        spec.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("spec", k));
        if (name is null)
            return null;

        var manifest = new PodManifest
        {
            File = file,
            Name = name,
            Line = meta!.LineOf("name"),
            Labels = labels.Select(l => KeyValuePair.Create(l.Key, l.Value)).ToList(),
            Annotations = annotations.Select(a => KeyValuePair.Create(a.Key, a.Value)).ToList(),
            RestartPolicy = restart,
            Hostname = hostname,
            ShareProcessNamespace = share,
            HostAliases = aliases,
            Security = podSecurity,
            Containers = containers,
            Volumes = volumes,
        };
        CheckAcrossContainers(manifest, top.Problems, paths);
        return manifest;
    }

    static HostAlias? ReadAlias(YamlItem item)
    {
        if (item.Object() is not { } o)
            return null;
        var ip = o.String("ip", required: true);
        if (ip is not null && !IPAddress.TryParse(ip, out _))
            o.Problem("ip", $"'{ip}' is not an IP address");
        var names = o.Strings("hostnames", required: true) ?? [];
        o.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("hostAliases[]", k));
        return ip is null ? null : new HostAlias(ip, names);
    }

    static PodSecurity ReadPodSecurity(YamlObject o)
    {
        var user = Id(o, "runAsUser");
        var group = Id(o, "runAsGroup");
        var groups = new List<long>();
        foreach (var item in o.List("supplementalGroups"))
            if (item.String() is { } s)
            {
                if (long.TryParse(s, out var g) && g >= 0)
                    groups.Add(g);
                else
                    o.Problems.Add(PodErrors.BadValue, item.Line, item.Path, $"'{s}' is not a numeric group id");
            }
        o.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("spec.securityContext", k));
        return new PodSecurity(user, group, groups);
    }

    static long? Id(YamlObject o, string key)
    {
        var v = o.Integer(key);
        if (v is < 0 or > uint.MaxValue - 1)
            o.Problem(key, $"{v} is not a user or group id");
        return v;
    }

    static Container? ReadContainer(YamlItem item, Dictionary<object, string> paths)
    {
        if (item.Object() is not { } c)
            return null;
        var name = c.String("name", required: true);
        if (name is not null && !IsDnsLabel(name))
            c.Problem("name", $"'{name}' is not a lowercase DNS label (a-z, 0-9, '-', at most 63)");
        var image = c.String("image", required: true);
        if (image is not null && !LocalImage().IsMatch(image))
            c.Problem(PodErrors.PulledImage, "image", image.StartsWith("localhost/")
                ? $"'{image}' is not a valid image reference (localhost/name[:tag])"
                : $"'{image}' would be pulled from a registry: vz ships images with the deploy, so each must be localhost/... (as `vzbuild image --tag` names it)");
        var policy = c.String("imagePullPolicy");
        if (policy is not null && policy != "Never")
            c.Problem(PodErrors.PulledImage, "imagePullPolicy", $"'{policy}': vz never pulls; use Never or leave it out (vz writes Never on the node)");
        var command = c.Strings("command");
        var args = c.Strings("args");
        var workingDir = c.String("workingDir");
        if (workingDir is not null && !workingDir.StartsWith('/'))
            c.Problem("workingDir", $"'{workingDir}' is not an absolute path");

        var env = ReadEnv(c);
        var ports = ReadPorts(c, paths);
        var resources = c.Object("resources") is { } r ? ReadResources(r) : new Resources(null, null, null);
        var mounts = ReadMounts(c, paths);
        var liveness = c.Object("livenessProbe") is { } p ? ReadProbe(p) : null;
        var security = c.Object("securityContext") is { } s ? ReadContainerSecurity(s) : null;
        c.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("containers[]", k));
        if (name is null || image is null)
            return null;
        return Register(paths, item.Path, new Container
        {
            Name = name,
            Line = item.Line,
            Image = image,
            ImageLine = c.LineOf("image"),
            Command = command,
            Args = args,
            WorkingDir = workingDir,
            Env = env,
            Ports = ports,
            Resources = resources,
            Mounts = mounts,
            Liveness = liveness,
            Security = security,
        });
    }

    static T Register<T>(Dictionary<object, string> paths, string path, T value) where T : notnull
    {
        paths[value] = path;
        return value;
    }

    static List<EnvVar> ReadEnv(YamlObject c)
    {
        var result = new List<EnvVar>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in c.List("env"))
        {
            if (item.Object() is not { } e)
                continue;
            var name = e.String("name", required: true);
            if (name is not null && !EnvName().IsMatch(name))
                e.Problem("name", $"'{name}' is not a variable name (letters, digits, '_', '.', '-'; not starting with a digit)");
            if (name is not null && !seen.Add(name))
                e.Problem(PodErrors.DuplicateName, "name", $"'{name}' is set twice in this container");
            var value = e.Has("value") ? e.String("value") ?? "" : null;
            SecretKeyRef? secret = null;
            if (e.Object("valueFrom") is { } from)
            {
                if (from.Object("secretKeyRef") is { } sk)
                {
                    var sn = sk.String("name", required: true);
                    var key = sk.String("key", required: true);
                    sk.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("secretKeyRef", k));
                    if (sn is not null && key is not null)
                        secret = new SecretKeyRef(sn, key, sk.Line);
                }
                else if (!from.Keys.Any())
                    from.Problems.Add(PodErrors.MissingField, from.Line, from.Path, "expected secretKeyRef");
                from.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("valueFrom", k));
                if (value is not null)
                    e.Problem("valueFrom", "set value or valueFrom, not both");
            }
            e.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("env[]", k));
            if (name is not null)
                result.Add(new EnvVar(name, secret is null ? value ?? "" : null, secret));
        }
        return result;
    }

    static List<PortMapping> ReadPorts(YamlObject c, Dictionary<object, string> paths)
    {
        var result = new List<PortMapping>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in c.List("ports"))
        {
            if (item.Object() is not { } p)
                continue;
            var name = p.String("name");
            if (name is not null && (name.Length > 15 || !DnsLabel().IsMatch(name)))
                p.Problem("name", $"'{name}' is not a port name (a lowercase DNS label of at most 15 characters)");
            if (name is not null && !names.Add(name))
                p.Problem(PodErrors.DuplicateName, "name", $"port name '{name}' is used twice in this container");
            var containerPort = Port(p, "containerPort", required: true);
            var hostPort = Port(p, "hostPort", required: false);
            var protocol = PortProtocol.Tcp;
            switch (p.String("protocol"))
            {
                case null or "TCP": break;
                case "UDP": protocol = PortProtocol.Udp; break;
                case var other:
                    p.Problem(PodErrors.BadPort, "protocol", $"'{other}': expected TCP or UDP (vz's firewall opens only these)");
                    break;
            }
            var hostIp = p.String("hostIP");
            if (hostIp is not null && !IPAddress.TryParse(hostIp, out _))
                p.Problem(PodErrors.BadPort, "hostIP", $"'{hostIp}' is not an IP address");
            p.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("ports[]", k));
            if (containerPort is { } cp)
                result.Add(Register(paths, item.Path, new PortMapping(name, cp, hostPort ?? cp, protocol, hostIp is "0.0.0.0" ? null : hostIp, item.Line)));
        }
        return result;
    }

    static int? Port(YamlObject p, string key, bool required)
    {
        var v = p.Integer(key, required);
        if (v is null)
            return null;
        if (v is < 1 or > 65535)
        {
            p.Problem(PodErrors.BadPort, key, $"{v} is not a port (1-65535)");
            return null;
        }
        return (int)v;
    }

    static Resources ReadResources(YamlObject r)
    {
        long? memLimit = null, memRequest = null, cpu = null;
        if (r.Object("limits") is { } limits)
        {
            memLimit = Memory(limits, "memory");
            if (limits.String("cpu") is { } c)
            {
                var (millis, why) = Quantity.Cpu(c);
                if (why is not null)
                    limits.Problem(PodErrors.BadQuantity, "cpu", why);
                cpu = millis;
            }
            limits.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("limits", k));
        }
        if (r.Object("requests") is { } requests)
        {
            memRequest = Memory(requests, "memory");
            requests.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("requests", k));
            if (memRequest > memLimit)
                requests.Problem(PodErrors.BadQuantity, "memory", "the request is above the limit");
        }
        r.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("resources", k));
        return new Resources(memLimit, memRequest, cpu);
    }

    static long? Memory(YamlObject o, string key)
    {
        // Quantities may be written as plain numbers (bytes) or strings ("128Mi").
        var raw = o.Take(key);
        if (raw is null)
            return null;
        var text = raw is YamlDotNet.RepresentationModel.YamlScalarNode s ? s.Value : null;
        if (text is null)
        {
            o.Bad(key, raw, "a quantity such as 128Mi");
            return null;
        }
        var (bytes, why) = Quantity.Memory(text);
        if (why is not null)
            o.Problem(PodErrors.BadQuantity, key, why);
        return bytes;
    }

    static List<VolumeMount> ReadMounts(YamlObject c, Dictionary<object, string> paths)
    {
        var result = new List<VolumeMount>();
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in c.List("volumeMounts"))
        {
            if (item.Object() is not { } m)
                continue;
            var name = m.String("name", required: true);
            var path = m.String("mountPath", required: true);
            if (path is not null)
            {
                if (!path.StartsWith('/'))
                    m.Problem("mountPath", $"'{path}' is not an absolute path");
                else if (path.Contains(':'))
                    m.Problem("mountPath", $"'{path}': mount options after ':' are vz's per node (readOnly: true for ro; SELinux labels)");
                else if (!mountPaths.Add(path.TrimEnd('/')))
                    m.Problem(PodErrors.DuplicateName, "mountPath", $"'{path}' is mounted twice in this container");
            }
            var ro = m.Bool("readOnly") ?? false;
            m.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("volumeMounts[]", k));
            if (name is not null && path is not null)
                result.Add(Register(paths, item.Path, new VolumeMount(name, path, ro, item.Line)));
        }
        return result;
    }

    static ExecProbe? ReadProbe(YamlObject p)
    {
        List<string>? command = null;
        if (p.Object("exec") is { } exec)
        {
            command = exec.Strings("command", required: true)?.ToList();
            if (command is { Count: 0 })
                exec.Problem(PodErrors.UnsupportedProbe, "command", "an empty command");
            foreach (var (word, i) in (command ?? []).Select((w, i) => (w, i)))
                if (!PlainWord().IsMatch(word))
                    exec.Problems.Add(PodErrors.UnsupportedProbe, exec.LineOf("command"), $"{exec.PathOf("command")}[{i}]",
                        $"'{word}': podman 4.3 joins the words with spaces and runs them with /bin/sh -c, 5.x runs them as a list: use words without spaces or shell characters so both run the same command");
            exec.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("exec", k));
        }
        int? Seconds(string key, int min)
        {
            var v = p.Integer(key);
            if (v is not null && (v < min || v > 86400))
                p.Problem(key, $"{v}: expected {min} to 86400");
            return (int?)v;
        }
        var period = Seconds("periodSeconds", 1);
        var failures = Seconds("failureThreshold", 1);
        var timeout = Seconds("timeoutSeconds", 1);
        var delay = Seconds("initialDelaySeconds", 0);
        p.RejectUnread(PodErrors.UnsupportedProbe, k => PodFields.Why("livenessProbe", k));
        if (command is null && !p.Keys.Any(k => k.Key is "httpGet" or "tcpSocket" or "grpc"))
            p.Problems.Add(PodErrors.UnsupportedProbe, p.Line, p.Path, "expected exec.command (the only probe podman runs without tools the image may lack)");
        return command is { Count: > 0 } ? new ExecProbe(command, period, failures, timeout, delay) : null;
    }

    static ContainerSecurity ReadContainerSecurity(YamlObject s)
    {
        var user = Id(s, "runAsUser");
        var group = Id(s, "runAsGroup");
        var ro = s.Bool("readOnlyRootFilesystem");
        var escalation = s.Bool("allowPrivilegeEscalation");
        var privileged = s.Bool("privileged");
        IReadOnlyList<string> add = [], drop = [];
        if (s.Object("capabilities") is { } caps)
        {
            add = caps.Strings("add") ?? [];
            drop = caps.Strings("drop") ?? [];
            foreach (var cap in add.Concat(drop).Where(c => c != "ALL" && !Capability().IsMatch(c)))
                caps.Problem(caps.Has("add") && add.Contains(cap) ? "add" : "drop", $"'{cap}' is not a capability name (e.g. NET_BIND_SERVICE)");
            caps.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("capabilities", k));
        }
        s.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("containers[].securityContext", k));
        return new ContainerSecurity(user, group, ro, escalation, privileged, add, drop);
    }

    static Volume? ReadVolume(YamlItem item, Dictionary<object, string> paths)
    {
        if (item.Object() is not { } v)
            return null;
        var name = v.String("name", required: true);
        if (name is not null && !IsDnsLabel(name))
            v.Problem("name", $"'{name}' is not a lowercase DNS label");
        var sources = new List<VolumeSource>();
        if (v.Object("hostPath") is { } hp)
        {
            var path = hp.String("path", required: true);
            if (path is not null && (!path.StartsWith('/') || path.Contains(':') || path.Contains(',') || path.Split('/').Contains("..")))
                hp.Problem(PodErrors.BadVolume, "path", $"'{path}': expected an absolute node path without '..', ':' or ','");
            var type = hp.String("type");
            if (type is not (null or "" or "Directory" or "DirectoryOrCreate" or "File" or "FileOrCreate"))
                hp.Problem(PodErrors.BadVolume, "type", $"'{type}': expected Directory, DirectoryOrCreate, File or FileOrCreate");
            hp.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("hostPath", k));
            if (path is not null)
                sources.Add(new HostPathVolume(path, type is "" ? null : type));
        }
        if (v.Object("persistentVolumeClaim") is { } pvc)
        {
            var claim = pvc.String("claimName", required: true);
            if (claim is not null && !ClaimName().IsMatch(claim))
                pvc.Problem(PodErrors.BadVolume, "claimName", $"'{claim}' is not a podman volume name");
            pvc.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("persistentVolumeClaim", k));
            if (claim is not null)
                sources.Add(new ClaimVolume(claim));
        }
        if (v.Object("secret") is { } sec)
        {
            var secretName = sec.String("secretName", required: true);
            sec.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("secret", k));
            if (secretName is not null)
                sources.Add(new SecretVolume(secretName));
        }
        v.RejectUnread(PodErrors.UnknownField, k => PodFields.Why("volumes[]", k));
        if (sources.Count > 1)
            v.Problems.Add(PodErrors.BadVolume, v.Line, v.Path, "a volume has exactly one source (hostPath, persistentVolumeClaim or secret)");
        else if (sources.Count == 0 && !v.Keys.Any(k => k.Key != "name"))
            v.Problems.Add(PodErrors.BadVolume, v.Line, v.Path, "no source: expected hostPath, persistentVolumeClaim or secret");
        return name is not null && sources.Count == 1 ? Register(paths, item.Path, new Volume(name, sources[0], item.Line)) : null;
    }

    /// <summary>Names unique per pod, mounts that name volumes, one owner per secret volume.</summary>
    static void CheckAcrossContainers(PodManifest m, Problems problems, Dictionary<object, string> paths)
    {
        void Duplicates<T>(IEnumerable<T> items, Func<T, string> key, Func<T, int> line, string suffix, string what) where T : notnull
        {
            foreach (var g in items.GroupBy(key).Where(g => g.Count() > 1))
                foreach (var dup in g.Skip(1))
                    problems.Add(PodErrors.DuplicateName, line(dup), paths[dup] + suffix, $"{what} '{g.Key}' is declared twice in this pod");
        }
        Duplicates(m.Containers, c => c.Name, c => c.Line, ".name", "container");
        Duplicates(m.Volumes, v => v.Name, v => v.Line, ".name", "volume");
        var ports = m.Ports.ToList();
        foreach (var g in ports.GroupBy(p => (p.HostPort, p.Protocol, p.HostIp)).Where(g => g.Count() > 1))
            foreach (var p in g.Skip(1))
                problems.Add(PodErrors.BadPort, p.Line, paths[p], $"host port {p.HostPort}/{p.ProtocolName} is published twice in this pod");
        // Within one container the reader already named a repeated port name.
        foreach (var g in ports.Where(p => p.Name is not null).GroupBy(p => p.Name!).Where(g => g.Count() > 1))
            foreach (var p in g.Skip(1).Where(p => !m.Containers.Any(c => c.Ports.Contains(p) && c.Ports.Count(q => q.Name == p.Name) > 1)))
                problems.Add(PodErrors.DuplicateName, p.Line, paths[p] + ".name", $"port name '{g.Key}' is declared twice in this pod");

        var byName = m.Volumes.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in m.Containers)
            foreach (var mount in c.Mounts)
            {
                used.Add(mount.Name);
                if (!byName.TryGetValue(mount.Name, out var vol))
                    problems.Add(PodErrors.BadVolume, mount.Line, paths[mount] + ".name", $"'{mount.Name}' names no volume in spec.volumes");
                else if (vol.Source is SecretVolume && c.EffectiveUser(m.Security) is null)
                    problems.Add(PodErrors.BadSecretRef, mount.Line, paths[mount],
                        "a secret volume needs runAsUser (container or pod securityContext): vz makes the files 0400 for exactly that user");
                else if (vol.Source is SecretVolume && !mount.ReadOnly)
                    problems.Add(PodErrors.BadSecretRef, mount.Line, paths[mount] + ".readOnly", "a secret volume is mounted read-only: set readOnly: true");
            }
        foreach (var v in m.Volumes)
        {
            if (!used.Contains(v.Name))
                problems.Add(PodErrors.BadVolume, v.Line, paths[v], $"volume '{v.Name}' is mounted by no container");
            if (v.Source is SecretVolume)
            {
                var owners = m.Containers.Where(c => c.Mounts.Any(mt => mt.Name == v.Name)).Select(c => c.EffectiveUser(m.Security)).OfType<long>().Distinct().ToList();
                if (owners.Count > 1)
                    problems.Add(PodErrors.BadSecretRef, v.Line, paths[v],
                        $"secret volume '{v.Name}' is mounted by containers running as different users ({string.Join(", ", owners)}): one volume per user");
            }
        }
    }

}
