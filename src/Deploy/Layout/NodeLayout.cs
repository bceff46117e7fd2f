using Vz.Deploy.Platform;
using Vz.Deploy.Push;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Layout;

/// <summary>
/// Where vz keeps everything on a node, in one place: deploy, ps/diff/history, rollback, the
/// Ansible role and runc pods all take their paths from here (README "Deploy model: node layout").
/// All paths are absolute (the home directory resolved by the probe), since systemd units and
/// Quadlet's Yaml= do not expand ~. Everything lives under the login user's ~/.vz (0700), except
/// the units and firewall, which live where systemd and the firewall look for them.
/// <code>
/// ~/.vz/images/NAME/sha256-HEX.tar, current, previous   image archives (vzbuild push)
/// ~/.vz/pods/POD/releases/ID/{pod.yaml,unit,release,restore.sh}   one directory per deployed version
/// ~/.vz/pods/POD/current -> releases/ID                   what runs (the unit reads current/pod.yaml)
/// ~/.vz/pods/POD/previous -> releases/ID                  what a rollback restores
/// ~/.vz/pods/POD/pending                                  between switch and confirm: from, to, boot id
/// ~/.vz/pods/POD/restore.sh                               the dead-man's (and boot check's) restore script
/// ~/.vz/secrets/POD/SECRET/KEY                            0400 files in 0500 directories (.incoming/ for uploads, .salt)
/// ~/.vz/bundles/NAME/sha256-HEX/rootfs                    runc pods: an image unpacked once per version
/// ~/.vz/volumes/CLAIM                                     runc pods: a persistentVolumeClaim's directory
/// ~/.vz/history.log                                       append-only: one tab-separated line per event
/// ~/.vz/lock/owner                                        the deploy lock (mkdir is the atomic take)
/// ~/.vz/firewall.sh                                       nftables/iptables rules, re-applied at boot by vz-firewall.service
/// </code>
/// </summary>
public sealed record NodeLayout
{
    public NodeLayout(string home, string store = NodeSettings.DefaultStore)
    {
        Home = home.TrimEnd('/');
        Images = store == "~" ? Home : store.StartsWith("~/") ? $"{Home}/{store[2..].TrimEnd('/')}" : store.TrimEnd('/');
    }

    public static NodeLayout For(NodeFacts facts, NodeSettings settings) => new(facts.Home, settings.Store);

    public string Home { get; }
    /// <summary>vz's directory on the node (mode 0700).</summary>
    public string Root => $"{Home}/.vz";
    /// <summary>The image store of vzbuild push (node setting vz_store, default ~/.vz/images).</summary>
    public string Images { get; }

    /// <summary>The store directory of an image's repository (localhost/web:1 -> web): archives, current, previous.</summary>
    public string ImageDir(string image) => $"{Images}/{ImageArchive.StoreNameOf(image)}";

    public string Pods => $"{Root}/pods";
    public string PodDir(string pod) => $"{Pods}/{pod}";
    public string Releases(string pod) => $"{PodDir(pod)}/releases";
    public string Release(string pod, string id) => $"{Releases(pod)}/{id}";
    public string Current(string pod) => $"{PodDir(pod)}/current";
    public string Previous(string pod) => $"{PodDir(pod)}/previous";

    /// <summary>The manifest the unit plays: through the current link, so a switch is one rename.</summary>
    public string CurrentManifest(string pod) => $"{Current(pod)}/{ManifestFile}";

    /// <summary>The release file the unit runs: pod.yaml for podman, config.json (a runtime bundle's) for runc.</summary>
    public string CurrentManifest(string pod, UnitKind unit) => $"{Current(pod)}/{ManifestFileFor(unit)}";

    /// <summary>runc pods: the bundle (config.json) of the current release.</summary>
    public string CurrentBundle(string pod) => Current(pod);

    public string Pending(string pod) => $"{PodDir(pod)}/pending";
    public string RestoreScript(string pod) => $"{PodDir(pod)}/restore.sh";
    /// <summary>Where deploy --prune moves a removed pod's directory (its release records), as POD.YYYYMMDDTHHMMSSZ.</summary>
    public string Removed => $"{Root}/removed";

    public string Secrets => $"{Root}/secrets";
    /// <summary>Uploads land here first (0700), so a file is never readable by others, whatever mode SFTP gave it.</summary>
    public string SecretsIncoming => $"{Secrets}/.incoming";
    public string SecretDir(string pod, string secret) => $"{Secrets}/{pod}/{secret}";
    /// <summary>The node's key for the secrets digest in release records (random, made at the first deploy).</summary>
    public string SecretSalt => $"{Secrets}/.salt";

    public string Bundles => $"{Root}/bundles";
    /// <summary>runc pods: where an image version (its archive's sha256) is unpacked once, for every release that runs it.</summary>
    public string BundleDir(string image, string sha) => $"{Bundles}/{ImageArchive.StoreNameOf(image)}/sha256-{sha}";
    public string Rootfs(string image, string sha) => $"{BundleDir(image, sha)}/rootfs";

    /// <summary>runc pods: persistentVolumeClaim directories, by claim name (podman keeps its named volumes itself).</summary>
    public string Volumes => $"{Root}/volumes";
    public string Volume(string claim) => $"{Volumes}/{claim}";

    public string History => $"{Root}/history.log";
    /// <summary>The firewall script (nftables, iptables) vz-firewall.service re-applies at boot.</summary>
    public string FirewallScript => $"{Root}/firewall.sh";

    public string Lock => $"{Root}/lock";
    public string LockOwner => $"{Lock}/owner";

    /// <summary>File names inside a release directory.</summary>
    public const string ManifestFile = "pod.yaml";
    public const string UnitCopyFile = "unit";
    public const string RecordFile = "release";
    /// <summary>A runc release's runtime config, in place of the manifest: the release directory is the bundle.</summary>
    public const string RuntimeConfigFile = "config.json";

    public static string ManifestFileFor(UnitKind unit) => unit == UnitKind.RuncService ? RuntimeConfigFile : ManifestFile;

    /// <summary>systemd names: the pod's service, and the transient timer (and its service) of the dead-man switch.</summary>
    public static string Service(string pod) => $"vz-{pod}.service";
    public static string DeadmanUnit(string pod) => $"vz-deadman-{pod}";

    /// <summary>A podman secret (env[].valueFrom.secretKeyRef) is named per pod: two pods never share one.</summary>
    public static string PodmanSecret(string pod, string secret) => $"vz-{pod}-{secret}";

    /// <summary>The firewall objects vz owns; it touches nothing else.</summary>
    public const string FirewalldService = "vz";
    public const string NftTable = "vz";
    public const string IptablesChain = "VZ-INPUT";
}
