namespace Vz.Deploy.Pods;

/// <summary>
/// Error codes of the deploy model (VZ4xxx: pod manifests, the fleet file, node platform
/// decisions, rollouts). src/Deploy/README.md "Deploy model" lists the same.
/// </summary>
public static class PodErrors
{
    // VZ40xx: pod manifests
    public static readonly ErrorCode ManifestSyntax = new("VZ4001", "a manifest is not readable YAML, or not one mapping");
    public static readonly ErrorCode UnknownField = new("VZ4002", "a field vz does not honor: unknown, misplaced, or not run by podman");
    public static readonly ErrorCode BadValue = new("VZ4003", "a field has the wrong type or a value vz cannot use");
    public static readonly ErrorCode MissingField = new("VZ4004", "a required field is missing");
    public static readonly ErrorCode PulledImage = new("VZ4005", "an image that would be pulled: not localhost/..., or a pull policy other than Never");
    public static readonly ErrorCode BadPort = new("VZ4006", "a port outside 1-65535, a bad protocol, or a host port used twice");
    public static readonly ErrorCode DuplicateName = new("VZ4007", "two containers, ports, volumes, mounts or env entries with one name");
    public static readonly ErrorCode UnsupportedProbe = new("VZ4008", "a probe podman does not run, or runs with tools a minified image lacks");
    public static readonly ErrorCode BadQuantity = new("VZ4009", "a memory or cpu quantity vz cannot parse or enforce");
    public static readonly ErrorCode BadVolume = new("VZ4010", "a volume or mount that names nothing, or that vz cannot keep");
    public static readonly ErrorCode BadSecretRef = new("VZ4011", "a secret reference the fleet file does not declare, or cannot serve");

    // VZ41xx: the fleet file
    public static readonly ErrorCode FleetSyntax = new("VZ4101", "the fleet file is not readable YAML, or not one mapping");
    public static readonly ErrorCode FleetUnknownKey = new("VZ4102", "a fleet file key vz does not know");
    public static readonly ErrorCode FleetBadValue = new("VZ4103", "a fleet file value has the wrong type or an unusable value");
    public static readonly ErrorCode FleetMissingKey = new("VZ4104", "a required fleet file key is missing");
    public static readonly ErrorCode PathEscapes = new("VZ4105", "a path leaves the fleet file's directory (absolute, or .. above it)");
    public static readonly ErrorCode FileMissing = new("VZ4106", "a manifest, inventory, archive or secret file does not exist");
    public static readonly ErrorCode ImageWithoutArchive = new("VZ4107", "an image the manifest names has no archive in images:, or an archive no container uses");
    public static readonly ErrorCode PlacementConflict = new("VZ4108", "two pods on one node share a name, a host port or a unit");
    public static readonly ErrorCode SecretUnavailable = new("VZ4109", "a secret's source (file or environment variable) is missing or empty");

    // VZ42xx: what a node can run
    public static readonly ErrorCode NodeCannotRun = new("VZ4201", "the node lacks what the pod needs (podman, runc, Quadlet, a controller)");
    public static readonly ErrorCode MemoryNotEnforceable = new("VZ4202", "the pod limits memory and the node cannot enforce it");
    public static readonly ErrorCode NodeFacts = new("VZ4203", "the node's probe output is not what vz printed");
    public static readonly ErrorCode NodeTooSmall = new("VZ4204", "the memory limits of the node's pods exceed what the node has");

    // VZ43xx: deploying on nodes
    public static readonly ErrorCode LockHeld = new("VZ4301", "another deploy holds the node's deploy lock (waited --lock-wait)");
    public static readonly ErrorCode RollbackFailed = new("VZ4302", "a failed version could not be rolled back on the node");
    public static readonly ErrorCode NotInFleet = new("VZ4303", "vzbuild lock release names a host the fleet's inventory does not have");
}
