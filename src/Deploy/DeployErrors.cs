namespace Vz.Deploy;

/// <summary>Error codes of Vz.Deploy (VZ3xxx: SSH, inventories, push); src/Deploy/README.md lists the same.</summary>
public static class DeployErrors
{
    public static readonly ErrorCode BadSshConfig = new("VZ3001", "the ssh config cannot be read, or a line of it cannot be used");
    public static readonly ErrorCode BadKnownHosts = new("VZ3002", "the known_hosts file cannot be read (a directory, a device, over the size limit, or a line too long)");
    public static readonly ErrorCode BadInventory = new("VZ3003", "the Ansible inventory is missing or unreadable, or a line of it (a host range, a host name) cannot be used");
    public static readonly ErrorCode UnknownGroup = new("VZ3004", "the inventory has no such group");
    public static readonly ErrorCode BadNodeList = new("VZ3005", "a bad --to node (or a host or user name with control characters), --group without an inventory, a bad --remote-env, or a node named twice");
    public static readonly ErrorCode HostKeyUnknown = new("VZ3010", "the node's host key is not in known_hosts (and --accept-new was not given)");
    public static readonly ErrorCode HostKeyChanged = new("VZ3011", "the node's host key differs from the one known_hosts records");
    public static readonly ErrorCode NoUsableKey = new("VZ3012", "no usable SSH key, or the node refused the keys");
    public static readonly ErrorCode LinkFailed = new("VZ3013", "the node is unreachable or the link to it broke (retried)");
    public static readonly ErrorCode NotAnImageArchive = new("VZ3020", "the archive to push is not an OCI image archive, or its index.json names no image");
    public static readonly ErrorCode NodeCommandFailed = new("VZ3021", "a command on the node failed");
    public static readonly ErrorCode UploadCorrupt = new("VZ3022", "the upload failed sha256 verification twice");
    public static readonly ErrorCode DeltaEncodeFailed = new("VZ3023", "xdelta3 could not encode a delta on the master");
    public static readonly ErrorCode PodmanLoadFailed = new("VZ3024", "podman load failed on the node");
    public static readonly ErrorCode NoNodes = new("VZ3025", "no nodes were given");
    public static readonly ErrorCode NodeLacksTool = new("VZ3026", "the node lacks sha256sum or podman");
    public static readonly ErrorCode VzpatchNotFound = new("VZ3027", "--vzpatch or VZ_VZPATCH names no file");
}
