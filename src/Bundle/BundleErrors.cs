namespace Vz.Bundle;

/// <summary>
/// Error codes of Vz.Bundle's bundle and tar code (VZ20xx), defined once; src/Bundle/README.md lists
/// the same. VZ2011, VZ2024 and VZ2030-VZ2034 belong to the OCI model and its writers (Image/,
/// Tar/TarStreamWriter, Runtime/RuntimeConfigJson), which move to Vz.Oci with their codes.
/// </summary>
public static class BundleErrors
{
    public static readonly ErrorCode BadPath = new("VZ2001", "a listed path is not absolute or has '.' or '..' parts");
    public static readonly ErrorCode SourceRootMissing = new("VZ2002", "the source root is not a directory");
    public static readonly ErrorCode PathNotFound = new("VZ2003", "a listed path is not found under the source root");
    public static readonly ErrorCode SymlinkLoop = new("VZ2004", "a symlink loop under the source root");
    public static readonly ErrorCode CopyFailed = new("VZ2005", "copying an entry into the rootfs failed");
    public static readonly ErrorCode OutputExists = new("VZ2006", "the output exists (a bundle, or a non-empty directory)");
    public static readonly ErrorCode WriteThroughSymlink = new("VZ2007", "refused to write through a symlink or outside the rootfs");
    public static readonly ErrorCode MountPointBlocked = new("VZ2008", "a mount point cannot be made: something else is in the way");
    public static readonly ErrorCode IoFailed = new("VZ2009", "another I/O failure while bundling");
    public static readonly ErrorCode CannotReadTree = new("VZ2010", "a tree to pack cannot be read");
    public static readonly ErrorCode XzFailed = new("VZ2012", "xz is missing or failed");
    public static readonly ErrorCode CannotWriteArchive = new("VZ2013", "the archive cannot be written");
    public static readonly ErrorCode LdconfigFailed = new("VZ2014", "ldconfig failed writing the bundle's loader cache");
    public static readonly ErrorCode InvalidConfig = new("VZ2020", "the runtime config is invalid (names each problem)");
    public static readonly ErrorCode BadEnv = new("VZ2021", "an --env entry is not KEY=VALUE");
    public static readonly ErrorCode BadPort = new("VZ2022", "a --port is not NUMBER or NUMBER/PROTOCOL (tcp, udp, sctp)");
    public static readonly ErrorCode UnknownUser = new("VZ2023", "a --user name is not in the rootfs's /etc/passwd or /etc/group");
    public static readonly ErrorCode BadCmd = new("VZ2025", "--cmd is not a JSON array of strings");
    public static readonly ErrorCode RootOutsideBundle = new("VZ2026", "a bundle's root.path is not a directory inside the bundle (absolute, '..', or through a symlink)");
    public static readonly ErrorCode BadSourceDateEpoch = new("VZ2040", "SOURCE_DATE_EPOCH is not a non-negative integer");
}
