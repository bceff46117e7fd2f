namespace Vz.Trace.Strace;

/// <summary>An strace log line vz cannot read. Codes: VZ1001 malformed line, VZ1002 bad string escape.</summary>
public sealed class StraceParseException(ErrorCode code, int line, string message)
    : VzException(code, $"strace log line {line}: {message}")
{
    public int LineNumber { get; } = line;
}
