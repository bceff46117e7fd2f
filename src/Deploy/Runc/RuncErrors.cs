namespace Vz.Deploy.Runc;

/// <summary>
/// Error codes of runc pods (VZ45xx: a pod with runtime: runc). src/Deploy/README.md "runc pods"
/// lists the same.
/// </summary>
public static class RuncErrors
{
    public static readonly ErrorCode NotForRunc = new("VZ4501", "a manifest field a runc pod cannot honor (one container on the node's network)");
    public static readonly ErrorCode CannotUnpack = new("VZ4502", "an image vz cannot unpack safely with tar on the node (a compression, a link or a path it refuses)");
    public static readonly ErrorCode BadImageConfig = new("VZ4503", "an image's config gives no program to run, or a user its /etc/passwd does not have");
    public static readonly ErrorCode UnpackFailed = new("VZ4504", "unpacking an image into its bundle failed on the node");
}
