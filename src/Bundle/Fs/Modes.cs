namespace Vz.Bundle.Fs;

/// <summary>Octal permission constants (C# has no octal literals); named by their octal value.</summary>
public static class Modes
{
    public const int O600 = 0x180;
    public const int O644 = 0x1A4;
    public const int O700 = 0x1C0;
    public const int O755 = 0x1ED;
    public const int O555 = 0x16D;
    /// <summary>Sticky and world-writable, as /tmp.</summary>
    public const int O1777 = 0x3FF;

    /// <summary>Parses "755" or "1777".</summary>
    public static int Parse(string octal) => Convert.ToInt32(octal, 8);
}
