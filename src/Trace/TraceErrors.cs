namespace Vz.Trace;

/// <summary>Error codes of Vz.Trace (VZ1xxx), defined once; src/Trace/README.md lists the same.</summary>
public static class TraceErrors
{
    // Strace/: running strace and reading its log.
    public static readonly ErrorCode MalformedLogLine = new("VZ1001", "an strace log line is malformed (names the line)");
    public static readonly ErrorCode BadLogEscape = new("VZ1002", "a quoted string in the strace log has a bad escape");
    public static readonly ErrorCode ToolMissing = new("VZ1010", "strace (or unshare, mount, chroot, for --root) is not installed");
    public static readonly ErrorCode CommandNotFound = new("VZ1011", "the command to trace is not found (on PATH, or inside ROOT)");
    public static readonly ErrorCode NotWritable = new("VZ1012", "the spec or log path is not writable");
    public static readonly ErrorCode NoLog = new("VZ1013", "strace wrote no log (usually ptrace is not allowed)");
    public static readonly ErrorCode TraceRootNotDirectory = new("VZ1014", "--root is not a directory");
    public static readonly ErrorCode IsolationFailed = new("VZ1015", "the root's namespaces could not be set up");

    // Spec/: the spec file and resolving it.
    public static readonly ErrorCode MalformedSpec = new("VZ1100", "a spec line is malformed (names the file and line)");
    public static readonly ErrorCode SpecNotFound = new("VZ1101", "the spec file does not exist");
    public static readonly ErrorCode SpecNotWritable = new("VZ1102", "the spec cannot be written");
    public static readonly ErrorCode SpecPathEscapes = new("VZ1103", "a spec path or glob is not absolute or has '.' or '..' parts");
    public static readonly ErrorCode SpecUnreadable = new("VZ1104", "the spec cannot be read: a directory, a device, or over the size limit");

    // Closure/: ELF headers, ldd.
    public static readonly ErrorCode BinaryNotFound = new("VZ1201", "a binary given to `vzbuild ldd` is not in the root");
    public static readonly ErrorCode RootNotDirectory = new("VZ1202", "the root to resolve in is not a directory");
    public static readonly ErrorCode NotAProgram = new("VZ1203", "a binary given to `vzbuild ldd` is not an ELF program or #! script, or its ELF headers are cut short or malformed");
}
