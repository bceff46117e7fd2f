namespace Vz.Bundle.Minify;

/// <summary>
/// Error codes of `vzbuild minify` (VZ23xx), defined once; src/Bundle/README.md lists the same.
/// Reading an image archive's layout (VZ2311, VZ2312) belongs to the OCI reader.
/// </summary>
public static class MinifyErrors
{
    public static readonly ErrorCode PathEscapes = new("VZ2301", "a path escapes the root (archive entry, hard link, whiteout, --rules, --keep, --drop)");
    public static readonly ErrorCode LayerSymlinkLoop = new("VZ2302", "a symlink loop met while applying a layer");
    public static readonly ErrorCode HardLinkOutside = new("VZ2303", "a hard link names an entry not in the image");
    public static readonly ErrorCode NotATarLayer = new("VZ2304", "a layer is not a tar stream");
    public static readonly ErrorCode CannotApplyEntry = new("VZ2305", "a layer entry cannot be applied");
    public static readonly ErrorCode UnknownSource = new("VZ2310", "--from is not a file, directory or podman image");
    public static readonly ErrorCode ProcOrDevIsSymlink = new("VZ2320", "/proc or /dev is a symlink in the source");
    public static readonly ErrorCode MountFailed = new("VZ2321", "a mount failed");
    public static readonly ErrorCode UnusableRootfsPath = new("VZ2322", "a rootfs directory path overlayfs cannot take");
    public static readonly ErrorCode StaleMounts = new("VZ2323", "an earlier run left mounts in OUT/.work");
    public static readonly ErrorCode CannotReadExercise = new("VZ2330", "the exercise file cannot be read");
    public static readonly ErrorCode BadExerciseLine = new("VZ2331", "an exercise line has an unclosed quote");
    public static readonly ErrorCode OutputOverlapsSource = new("VZ2340", "-o is a file (such as the source archive), or the output and the source lie in each other");
}
