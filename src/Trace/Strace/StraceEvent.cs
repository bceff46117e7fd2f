namespace Vz.Trace.Strace;

/// <summary>One logical entry of an strace log, from the line where it ended (1-based).</summary>
public abstract record StraceEvent(int Line, int Pid);

/// <summary>
/// A finished syscall. An <c>&lt;unfinished ...&gt;</c> line and its
/// <c>&lt;... NAME resumed&gt;</c> line are merged into one event, reported at the resumed line.
/// </summary>
public sealed record SyscallEvent(int Line, int Pid, string Name, IReadOnlyList<StraceArg> Args, SyscallResult Result)
    : StraceEvent(Line, Pid)
{
    /// <summary>A top-level string argument (a path) ended in <c>"..."</c>: strace -s was too small to show it whole.</summary>
    public bool Truncated => Args.Any(a => a.Truncated);
}

/// <summary><c>--- SIGCHLD {...} ---</c>: a signal delivered to the process.</summary>
public sealed record SignalEvent(int Line, int Pid, string Signal) : StraceEvent(Line, Pid);

/// <summary><c>+++ exited with N +++</c> (ExitCode) or <c>+++ killed by SIGKILL +++</c> (KilledBy).</summary>
public sealed record ExitEvent(int Line, int Pid, int? ExitCode, string? KilledBy) : StraceEvent(Line, Pid);

/// <summary>
/// Something odd but harmless in the log: a resumed line without its unfinished half
/// (the log started mid-call) or a call still unfinished at the end (the process was killed).
/// </summary>
public sealed record NoticeEvent(int Line, int Pid, string Message) : StraceEvent(Line, Pid);

public enum StraceArgKind
{
    /// <summary>A quoted string; <see cref="StraceArg.Text"/> holds it decoded.</summary>
    String,
    /// <summary>An integer (a descriptor, where the call takes one) or AT_FDCWD; <see cref="StraceArg.Text"/> holds the -y decoded path, if any.</summary>
    Fd,
    /// <summary>Anything else (flags, numbers, structs, arrays), kept raw.</summary>
    Other,
}

/// <summary>
/// One top-level argument. Strings and fd paths are decoded from strace's escapes to
/// bytes and then to text losslessly: valid UTF-8 decodes normally and every other byte
/// b becomes the lone surrogate U+DC00+b (PEP 383 "surrogateescape"); see
/// <see cref="StraceString.ToBytes"/> for the way back to the real file name bytes.
/// </summary>
public sealed record StraceArg(StraceArgKind Kind, string Raw)
{
    /// <summary>AT_FDCWD's value on Linux.</summary>
    public const int AtFdCwd = -100;

    public string? Text { get; init; }
    public bool Truncated { get; init; }
    /// <summary>The descriptor number (AtFdCwd for AT_FDCWD) when Kind is Fd.</summary>
    public int? Fd { get; init; }
}

/// <summary>
/// The part after <c>=</c>. Value is null for <c>?</c> (the process died inside the call);
/// Errno is set for <c>-1 ENOENT (...)</c>; Path is the -y decoded path of a returned fd.
/// </summary>
public sealed record SyscallResult(long? Value, string? Errno, string? Path)
{
    public bool Ok => Value is >= 0 && Errno is null;
}
