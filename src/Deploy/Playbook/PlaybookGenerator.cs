using System.Globalization;
using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Transport;
using Vz.Deploy.Units;
using Map = Vz.Deploy.Playbook.YamlTree.Map;

namespace Vz.Deploy.Playbook;

/// <summary>One text file of the generated playbook, relative to the output directory.</summary>
public sealed record PlaybookFile(string Path, string Text);

/// <summary>The playbook as text files, and the image archives to ship gzip-compressed beside them.</summary>
public sealed record GeneratedPlaybook(IReadOnlyList<PlaybookFile> Files, IReadOnlyList<PlaybookImage> Images)
{
    public string Text(string path) => Files.Single(f => f.Path == path).Text;
}

/// <summary>
/// vzbuild playbook as a pure function: from the validated fleet (and what its image archives
/// hold) to deploy.yaml and the role roles/vz_pod. Every file the role leaves on a node, and every
/// script it runs there, is the text vz's own renderers write (PodManifestWriter, UnitWriter,
/// PodScripts, NodeStatus, NodeScripts, FirewallPlan, ReleaseRecord), rendered for each variant a
/// node may be (<see cref="RoleVariant"/>) with slots for what only the node knows
/// (<see cref="Slots"/>), so the role leaves the bytes vzbuild deploy leaves. The tasks that drive
/// them are the role's fixed part (Playbook/Role/, embedded).
/// </summary>
public static class PlaybookGenerator
{
    public const string Role = "roles/vz_pod";
    public const string Templates = Role + "/templates";

    /// <summary>The health check settles this many seconds in a row, as deploy's default does.</summary>
    public const int SettleSeconds = 5;

    /// <summary>Marks every generated file (and lets the writer tell a role it wrote from someone else's).</summary>
    public const string Marker = "Written by vzbuild playbook";

    /// <summary>A fixed instant rendered where a slot stands for a time, then replaced by the slot.</summary>
    static readonly DateTimeOffset Instant = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
    static readonly string InstantText = Instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static GeneratedPlaybook Generate(LoadedFleet fleet, IReadOnlyDictionary<string, PlaybookImage> images)
    {
        var file = fleet.File;
        foreach (var p in file.Pods.Where(p => p.Runtime == PodRuntime.Runc))
            throw new VzException(PlaybookErrors.RuncPod,
                $"{Path.GetFileName(file.Path)}:{p.Line}: pod {p.Name}: runtime: runc pods are not deployed by the playbook yet",
                "deploy it with vzbuild deploy, or leave it out of the fleet file the playbook is made from");

        foreach (var (p, i) in file.Pods.Select((p, i) => (p, i)))
            foreach (var image in p.Images.Where(x => images[x.Archive].Image != x.Image))
                throw new VzException(PodErrors.ImageWithoutArchive,
                    $"{Path.GetFileName(file.Path)}:{image.Line}: pods[{i}].images.{image.Image}: {Path.GetRelativePath(file.Directory, image.Archive)} holds {images[image.Archive].Image}, not {image.Image}",
                    "rebuild it with vzbuild image --tag, or name the image the archive holds");

        var files = new List<PlaybookFile>();
        void Template(string path, string rendered) => files.Add(new PlaybookFile($"{Templates}/{path}", JinjaText.From(rendered)));

        var settings = SettingsGroups.Of(fleet.Nodes.Select(n => n.Target.Settings));
        var layout = RoleVariant.Layout(new NodeSettings());

        // The node's own scripts: the probe, the lock, the secrets salt.
        files.Add(new PlaybookFile($"{Role}/files/probe.sh", NodeFacts.Probe));
        var owner = new LockOwner(Slots.LockToken.Token, Slots.Who.Token, Instant, Slots.LockWhat.Token);
        Template("node/lock.sh.j2", PodScripts.LockTake(layout, owner, (int)Math.Ceiling(file.Rollout.LockWait.TotalSeconds)).Replace(InstantText, Slots.When.Token));
        Template("node/unlock.sh.j2", PodScripts.LockRelease(layout, Slots.LockToken.Token));
        Template("node/salt.sh.j2", PodScripts.Salt(layout));

        // Images: push's node commands, per settings group (store, podman flags and env).
        foreach (var (s, i) in settings.Select((s, i) => (s, i)))
            foreach (var (name, text) in ImageScripts(s))
                Template($"images/s{i}/{name}", text);

        // The firewall: the script for each port set the fleet places on a node, per backend.
        var portSets = fleet.Nodes.Select(n => FirewallPlan.Desired(n.AllPods.Select(fleet.Fleet.ManifestOf)))
            .DistinctBy(PortKey).ToList();
        foreach (var (ports, j) in portSets.Select((p, j) => (p, j)))
            foreach (var backend in Backends)
                Template($"firewall/f{j}/{BackendName(backend)}.sh.j2", FirewallPlan.EnforceScript(backend, ports));
        foreach (var backend in Backends)
            foreach (var access in new[] { FirewallAccess.Root, FirewallAccess.Sudo })
                Template($"firewall/list-{BackendName(backend)}-{AccessName(access)}.sh.j2", FirewallPlan.ListScript(backend, access));
        Template("firewall/vz-firewall.service.j2", FirewallPlan.BootUnit(layout.FirewallScript));

        var pods = new Map();
        foreach (var (entry, manifest) in fleet.Fleet.Pods)
            pods.Add(entry.Name, Pod(fleet, entry, manifest, settings, images, Template));

        files.Add(new PlaybookFile("deploy.yaml", Play(fleet)));
        files.Add(new PlaybookFile($"{Role}/vars/main.yml", Vars(fleet, settings, portSets, pods)));
        files.AddRange(RoleSource.Files.Select(f => new PlaybookFile($"{Role}/{f.Path}", f.Text)));
        var shipped = file.Pods.SelectMany(p => p.Images).Select(i => images[i.Archive]).DistinctBy(i => i.Sha256).ToList();
        return new GeneratedPlaybook(files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(), shipped);
    }

    static readonly FirewallBackend[] Backends = [FirewallBackend.Firewalld, FirewallBackend.Nftables, FirewallBackend.Iptables];

    public static string BackendName(FirewallBackend b) => b.ToString().ToLowerInvariant();

    static string AccessName(FirewallAccess a) => a.ToString().ToLowerInvariant();

    /// <summary>"8080/tcp 9090/udp": a port set as the role writes it (the order FirewallPort sorts in).</summary>
    public static string PortKey(IEnumerable<FirewallPort> ports) => string.Join(' ', ports.Order());

    /// <summary>
    /// Installing an image the way push does with a full gzip upload: the compressed archive arrives
    /// in NAME/.incoming (copy, checksummed by Ansible), is decompressed, its sha256 checked, moved to
    /// its store name, loaded and made current. "kept": the store already holds the verified archive
    /// (a rollback): checked again and loaded. "load": the archive is current but podman has another
    /// image under its name.
    /// </summary>
    static IEnumerable<(string Name, string Text)> ImageScripts(NodeSettings settings)
    {
        var store = RoleVariant.Layout(settings).Images;
        var dir = $"{store}/{Slots.ImageStore.Token}";
        var final = $"{dir}/{NodeScripts.ArchiveFile(Slots.ImageSha.Token)}";
        var part = $"{dir}/.incoming/{Slots.ImageSha.Token}.tar.gz.part";
        var decoded = $"{dir}/.incoming/{Slots.ImageSha.Token}.decoded.part";
        string Verify(string path) =>
            $"[ \"$({NodeScripts.Sha256(path)} | cut -d' ' -f1)\" = {Slots.ImageSha.Token} ] || {{ echo 'the archive failed sha256 verification: {path}'; {NodeScripts.Remove(path)}; exit {PodScripts.BadUpload}; }}\n";
        var load = $"{NodeScripts.Load(settings, final)}\n{NodeScripts.Commit(dir, Slots.ImageSha.Token)}\n";
        yield return ("probe.sh.j2", NodeScripts.Probe(settings.Store, Slots.ImageStore.Token) + "\n");
        yield return ("install.sh.j2", "set -e\n" + NodeScripts.Decompress(PushMode.FullGzip, part, decoded) + "\n" + NodeScripts.Remove(part) + "\n" +
            Verify(decoded) + NodeScripts.Move(decoded, final) + "\n" + load);
        yield return ("kept.sh.j2", "set -e\n" + Verify(final) + load);
        yield return ("load.sh.j2", "set -e\n" + load);
    }

    /// <summary>A pod's templates (written through <paramref name="template"/>) and its entry in vars.</summary>
    static Map Pod(LoadedFleet fleet, PodEntry entry, PodManifest m, IReadOnlyList<NodeSettings> settings,
        IReadOnlyDictionary<string, PlaybookImage> images, Action<string, string> template)
    {
        var pod = entry.Name;
        var dir = $"pods/{pod}";
        var layout = RoleVariant.Layout(new NodeSettings());
        var variants = new Map();
        var plans = new List<PlatformPlan>();
        foreach (var (s, i) in settings.Select((s, i) => (s, i)))
            foreach (var v in RoleVariant.Of(i))
            {
                var (plan, refused) = v.Decide(s, entry, m);
                if (plan is null)
                {
                    variants.Add(v.Name, new Map().Add("refused", refused));
                    continue;
                }
                plans.Add(plan);
                var l = RoleVariant.Layout(s);
                var vdir = $"{dir}/{v.Name}";
                template($"{vdir}/unit.j2", UnitWriter.Write(pod, plan, l));
                template($"{vdir}/restore.sh.j2", PodScripts.RestoreScript(l, plan, pod, m.SecretNames));
                template($"{vdir}/status.sh.j2", NodeStatus.Script(l, [new NodeStatus.PodQuery(pod, plan, m.Images)]));
                template($"{vdir}/arm.sh.j2", PodScripts.DeadmanArm(l, plan, pod, Slots.From.Token, Slots.Release.Token, entry.Deadman));
                template($"{vdir}/switch.sh.j2", PodScripts.Switch(l, plan, pod, Slots.Release.Token));
                template($"{vdir}/confirm.sh.j2", Confirm(l, plan, pod));
                // After a switch the check waits for the unit's new start (the invocation Switch printed); after a restore it does not.
                var python = v.Decide(s, entry, m, bash: false).Plan;
                foreach (var (shell, p) in new[] { ("bash", plan), ("python3", python) })
                    if (p is not null)
                    {
                        template($"{vdir}/health-switch-{shell}.sh.j2", PodScripts.HealthCheck(p, pod, entry.Health, "127.0.0.1", SettleSeconds, Slots.Invocation.Token));
                        template($"{vdir}/health-{shell}.sh.j2", PodScripts.HealthCheck(p, pod, entry.Health, "127.0.0.1", SettleSeconds));
                    }
                template($"{vdir}/repair.sh.j2", NodeRepair.PrepareScript(l, plan, [],
                [
                    (pod, Slots.Release.Token, [(NodeLayout.ManifestFile, Slots.ManifestSha.Token), (NodeLayout.UnitCopyFile, Slots.UnitSha.Token), ("restore.sh", Slots.RestoreSha.Token)]),
                ]));
                foreach (var secret in m.SecretNames)
                    template($"{vdir}/secret-{secret}.sh.j2", InstallSecret(fleet.File, l, plan, m, pod, secret));
                variants.Add(v.Name, new Map()
                    .Add("refused", "")
                    .Add("unit_path", JinjaText.From(plan.UnitPath))
                    .Add("service", plan.Service));
            }

        // The manifest depends only on SELinux (labels) and home (secret volume paths).
        var plain = plans.FirstOrDefault(p => !p.RelabelVolumes);
        if (plain is not null)
            template($"{dir}/pod.yaml.j2", PodManifestWriter.Render(m, layout, plain));
        var relabel = RoleVariant.Of(0).Select(v => v.Decide(settings[0], entry, m, selinux: true).Plan).FirstOrDefault(p => p is not null);
        if (relabel is not null)
            template($"{dir}/pod.selinux.yaml.j2", PodManifestWriter.Render(m, layout, relabel));

        template($"{dir}/prepare.sh.j2", PodScripts.Prepare(layout, pod, Slots.Release.Token));
        template($"{dir}/install.sh.j2", PodScripts.InstallRelease(layout, pod, Slots.Release.Token,
        [
            KeyValuePair.Create(NodeLayout.ManifestFile, Slots.ManifestSha.Token),
            KeyValuePair.Create(NodeLayout.UnitCopyFile, Slots.UnitSha.Token),
            KeyValuePair.Create(NodeLayout.RecordFile, Slots.RecordSha.Token),
            KeyValuePair.Create("restore.sh", Slots.RestoreSha.Token),
        ]));
        var podImages = entry.Images.Select(i => images[i.Archive]).ToList();
        var (content, record) = Record(pod, podImages, m.SecretNames.Count > 0);
        template($"{dir}/release-content.j2", content);
        template($"{dir}/release.j2", record);

        var memory = MemoryPlan.PodmanOverheadPerPod + (m.MemoryLimit ?? 0);
        return new Map()
            .Add("groups", entry.Groups.ToList())
            .Add("ports", FirewallPlan.Desired([m]).Select(p => p.ToString()).ToList())
            .Add("host_ports", m.Ports.Select(p => (long)p.HostPort).Distinct().ToList())
            .Add("limits_memory", m.LimitsMemory)
            .Add("memory_need", memory)
            .Add("health", Health(entry.Health))
            .Add("deadman", (long)Math.Ceiling(entry.Deadman.TotalSeconds))
            .Add("containers", DesiredPod.ContainerNames(m).ToList())
            .Add("images", podImages.Select(i => new Map()
                .Add("name", i.Image)
                .Add("store", i.StoreName)
                .Add("sha256", i.Sha256)
                .Add("id", i.Id)
                .Add("size", i.Size)
                .Add("shipped", i.Shipped)
                .Add("source", i.Archive)).ToList())
            .Add("secrets", m.SecretNames.Select(s => Secret(fleet.File, layout, m, pod, s)).ToList())
            .Add("paths", new Map()
                .Add("dir", JinjaText.From(layout.PodDir(pod)))
                .Add("releases", JinjaText.From(layout.Releases(pod)))
                .Add("restore", JinjaText.From(layout.RestoreScript(pod)))
                .Add("current_manifest", JinjaText.From(layout.CurrentManifest(pod))))
            .Add("variants", variants);
    }

    static Map Health(HealthSpec h)
    {
        var map = new Map();
        switch (h.Probe)
        {
            case HttpProbe http:
                map.Add("probe", "http").Add("port", (long)http.Port).Add("path", http.Path);
                break;
            case TcpProbe tcp:
                map.Add("probe", "tcp").Add("port", (long)tcp.Port);
                break;
            default:
                map.Add("probe", "none");
                break;
        }
        return map.Add("timeout", (long)Math.Ceiling(h.Timeout.TotalSeconds));
    }

    /// <summary>
    /// The release record: its content lines (what the ID is the digest of) and the whole file, each
    /// from <see cref="ReleaseRecord"/> itself with slots for the digests the node decides (manifest,
    /// unit, secrets), then the digest, who and when put back as slots.
    /// </summary>
    static (string Content, string Record) Record(string pod, IReadOnlyList<PlaybookImage> images, bool secrets)
    {
        var record = new ReleaseRecord
        {
            Pod = pod,
            Manifest = Slots.ManifestSha.Token,
            Unit = Slots.UnitSha.Token,
            Images = images.Select(i => KeyValuePair.Create(i.Image, i.Sha256)).DistinctBy(i => i.Key).OrderBy(i => i.Key, StringComparer.Ordinal).ToList(),
            Secrets = secrets ? Slots.SecretsDigest.Token : "",
            Who = Slots.Who.Token,
            When = Instant,
        };
        return (record.Content(), record.Render().Replace(record.Digest, Slots.Digest.Token).Replace(InstantText, Slots.When.Token));
    }

    /// <summary>PodScripts.Confirm with the history line's time and event as slots.</summary>
    static string Confirm(NodeLayout layout, PlatformPlan plan, string pod)
    {
        var history = new HistoryEntry(Instant, pod, HistoryEvent.Deploy, Slots.Release.Token, Slots.Who.Token, Slots.Detail.Token);
        var line = history.Render();
        var slotted = line.Replace(InstantText, Slots.When.Token).Replace($"\t{HistoryEntry.Name(HistoryEvent.Deploy)}\t", $"\t{Slots.Event.Token}\t");
        return PodScripts.Confirm(layout, plan, pod, Slots.Release.Token, history).Replace(Sh.Quote(line), Sh.Quote(slotted));
    }

    /// <summary>Where the role uploads a secret's values before the node script puts them in place (in the 0700 .incoming).</summary>
    static string Upload(NodeLayout layout, string pod, string secret, string key) => $"{layout.SecretsIncoming}/{pod}.{secret}.{key}.vz-ansible";

    static string JsonUpload(NodeLayout layout, string pod, string secret) => $"{layout.SecretsIncoming}/{pod}.{secret}.vz-ansible.json";

    /// <summary>PodScripts.InstallSecret for one secret of a pod, from the role's fixed upload names (as deploy does with its own).</summary>
    static string InstallSecret(FleetFile fleet, NodeLayout layout, PlatformPlan plan, PodManifest m, string pod, string secret)
    {
        var (volume, env, keys) = SecretUse(fleet, m, secret);
        var volumeFiles = volume is null ? [] : keys.Select(k => (k, Upload(layout, pod, secret, k))).ToList();
        long? uid = volume is null ? null : m.SecretOwner(volume.Name);
        long? gid = volume is null ? null : m.Containers.Where(c => c.Mounts.Any(x => x.Name == volume.Name)).Select(c => c.EffectiveGroup(m.Security)).FirstOrDefault();
        return PodScripts.InstallSecret(layout, plan, pod, secret, volumeFiles, uid, gid, env ? JsonUpload(layout, pod, secret) : null);
    }

    static (Volume? Volume, bool Env, IReadOnlyList<string> Keys) SecretUse(FleetFile fleet, PodManifest m, string secret) => (
        m.Volumes.FirstOrDefault(v => v.Source is SecretVolume sv && sv.SecretName == secret),
        m.Containers.Any(c => c.Env.Any(e => e.Secret?.Name == secret)),
        fleet.Secret(secret)?.Keys.Select(k => k.Key).ToList() ?? []);

    static Map Secret(FleetFile fleet, NodeLayout layout, PodManifest m, string pod, string secret)
    {
        var (volume, env, keys) = SecretUse(fleet, m, secret);
        var uploads = new Map();
        foreach (var k in keys)
            uploads.Add(k, JinjaText.From(Upload(layout, pod, secret, k)));
        return new Map()
            .Add("name", secret)
            .Add("key_names", keys.ToList())
            .Add("volume", volume is not null)
            .Add("env", env)
            .Add("uploads", uploads)
            .Add("json", JinjaText.From(JsonUpload(layout, pod, secret)));
    }

    static string Play(LoadedFleet fleet)
    {
        var r = fleet.File.Rollout;
        object rest = r.Batch > 0 ? (long)r.Batch : "100%";
        object serial = r.Canary > 0 ? new List<object> { (long)r.Canary, rest } : rest;
        var groups = fleet.File.Pods.SelectMany(p => p.Groups).Distinct(StringComparer.Ordinal);
        var play = new Map()
            .Add("name", $"Deploy the pods of {Path.GetFileName(fleet.File.Path)}")
            .Add("hosts", string.Join(':', groups))
            .Add("serial", serial)
            .Add("max_fail_percentage", 0L)
            .Add("gather_facts", false)
            .Add("roles", new List<object> { new Map().Add("role", "vz_pod") });
        return YamlTree.Write(new List<object> { play },
            $"{Marker} from {Path.GetFileName(fleet.File.Path)}: the canary, then batches (rollout: in the fleet file).\n" +
            $"Run: ansible-playbook -i {Path.GetFileName(fleet.File.Inventory)} deploy.yaml");
    }

    /// <summary>The podman version from which Decide picks Quadlet for nodes of these settings (ChooseUnit's needed keys).</summary>
    static Version QuadletSince(NodeSettings s, bool rootless) =>
        new[] { "LogDriver" }
            .Concat(s.Runtime is null && s.CgroupManager is null ? [] : ["GlobalArgs"])
            .Concat(rootless ? ["DefaultDependencies"] : Array.Empty<string>())
            .Select(k => PlatformDecisions.QuadletKubeKeySince[k]).Max()!;

    static string Vars(LoadedFleet fleet, IReadOnlyList<NodeSettings> settings, IReadOnlyList<IReadOnlySet<FirewallPort>> portSets, Map pods)
    {
        var file = fleet.File;
        var layout = RoleVariant.Layout(new NodeSettings());
        var groups = new Map();
        foreach (var (s, i) in settings.Select((s, i) => (s, i)))
            groups.Add(SettingsGroups.Key(s), new Map()
                .Add("name", $"s{i}")
                .Add("quadlet_since", QuadletSince(s, rootless: false).ToString())
                .Add("quadlet_since_user", QuadletSince(s, rootless: true).ToString())
                .Add("push_args", PushArgs(s)));
        var firewall = portSets.Select((ports, j) => new Map().Add("name", $"f{j}").Add("ports", ports.Order().Select(p => p.ToString()).ToList())).ToList();
        var secrets = new Map();
        foreach (var s in file.Secrets)
        {
            var keys = new Map();
            foreach (var k in s.Keys)
                keys.Add(k.Key, k.Source switch
                {
                    FileSecret f => new Map().Add("file", f.Path),
                    EnvSecret e => new Map().Add("env", e.Variable),
                    _ => new Map(),
                });
            secrets.Add(s.Name, keys);
        }
        var tree = new Map()
            .Add("vz_fleet", new Map()
                .Add("source", Path.GetFileName(file.Path))
                .Add("order", file.Pods.Select(p => p.Name).ToList())
                .Add("group_pods", GroupPods(file))
                .Add("lock_wait", (long)Math.Ceiling(file.Rollout.LockWait.TotalSeconds))
                .Add("settle", (long)SettleSeconds)
                .Add("default_store", NodeSettings.DefaultStore)
                .Add("oldest_podman", PlatformDecisions.OldestPodman.ToString())
                .Add("memory_reserve", MemoryPlan.SystemReserve)
                .Add("paths", new Map()
                    .Add("root", JinjaText.From(layout.Root))
                    .Add("lock", JinjaText.From(layout.Lock))
                    .Add("history", JinjaText.From(layout.History))
                    .Add("firewall_script", JinjaText.From(layout.FirewallScript))
                    .Add("firewall_unit", $"/etc/systemd/system/{FirewallPlan.BootUnitName}"))
                .Add("settings", groups)
                .Add("firewall", firewall)
                .Add("secrets", secrets)
                .Add("pods", pods));
        return YamlTree.Write(tree,
            $"{Marker} from {Path.GetFileName(file.Path)}: the fleet as the role deploys it. Regenerate it; do not edit.\n" +
            "Paths in {{ }} are filled in on each node (vz_home: the login user's home).");
    }

    /// <summary>Each group a pod names, with the pods it places (fleet order): the role finds a host's pods from its group_names.</summary>
    static Map GroupPods(FleetFile file)
    {
        var map = new Map();
        foreach (var g in file.Pods.SelectMany(p => p.Groups).Distinct(StringComparer.Ordinal))
            map.Add(g, file.Pods.Where(p => p.Groups.Contains(g)).Select(p => p.Name).ToList());
        return map;
    }

    /// <summary>vzbuild push's node-settings options, for -e vz_delta=true.</summary>
    static List<string> PushArgs(NodeSettings s)
    {
        var args = new List<string> { "--store", s.Store };
        if (s.Runtime is not null)
            args.AddRange(["--runtime", s.Runtime]);
        if (s.CgroupManager is not null)
            args.AddRange(["--cgroup-manager", s.CgroupManager]);
        foreach (var (k, v) in s.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            args.AddRange(["--remote-env", $"{k}={v}"]);
        return args;
    }
}
