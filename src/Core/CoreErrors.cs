namespace Vz;

/// <summary>Error codes of Vz.Core (VZ0xxx); src/Core/README.md lists the same.</summary>
public static class CoreErrors
{
    public static readonly ErrorCode CannotStart = new("VZ0001", "a child process could not be started (program missing or not executable)");
    public static readonly ErrorCode TimedOut = new("VZ0002", "a child process did not finish within its time limit");
}
