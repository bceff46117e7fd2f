namespace Vz.Deploy.Provision;

/// <summary>Error codes of node add and node check (VZ5xxx); src/Deploy/README.md lists the same.</summary>
public static class ProvisionErrors
{
    public static readonly ErrorCode UnsupportedOs = new("VZ5001", "the node runs a distribution or release vz does not support (nothing was changed)");
    public static readonly ErrorCode BadDeployUser = new("VZ5002", "the deploy user name cannot be used (root, or not a portable Linux user name)");
    public static readonly ErrorCode LoginRefused = new("VZ5003", "the node refused the root password and the keys (nothing was changed)");
    public static readonly ErrorCode NoPassword = new("VZ5004", "a password is needed and none was given (nothing on stdin with --password-stdin, or no terminal to ask)");
    public static readonly ErrorCode StepFailed = new("VZ5005", "a step of node add failed on the node (password login left as it was)");
    public static readonly ErrorCode ProofFailed = new("VZ5006", "key login as the deploy user, or sudo through it, did not work in a second connection (password login left as it was)");
    public static readonly ErrorCode SshdRefused = new("VZ5007", "sshd rejected the drop-in or another file keeps password login on (the drop-in was taken back)");
    public static readonly ErrorCode BadInventoryEdit = new("VZ5008", "the host or group cannot be written into the inventory");
    public static readonly ErrorCode LocalFile = new("VZ5009", "a file of the operator's (known_hosts, the inventory) cannot be read or written");
}
