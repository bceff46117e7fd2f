namespace Vz.Tests;

/// <summary>The code for a tool a test runs itself failing (ssh-keygen, tar): not vz's, so outside src's tables.</summary>
public static class TestErrors
{
    public static readonly ErrorCode ToolFailed = new("VZ9999", "a tool the test ran failed");
}
