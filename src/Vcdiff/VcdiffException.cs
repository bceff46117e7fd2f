namespace Vz.Vcdiff;

/// <summary>
/// Every failure the decoder expects (bad magic, corrupt section, checksum mismatch,
/// unsupported feature, short source) is one of these, with a stable code and a message
/// naming the window and delta offset. Vz.Vcdiff has no dependencies, so this is not a
/// <c>VzException</c>; callers wrap it with <see cref="Code"/> unchanged.
/// </summary>
public sealed class VcdiffException : Exception
{
    public VcdiffException(VcdiffError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    public VcdiffError Error { get; }

    /// <summary>Stable code, VZ3901..VZ3906; listed in src/Vcdiff/README.md.</summary>
    public string Code => $"VZ{3900 + (int)Error}";
}

public enum VcdiffError
{
    /// <summary>Not a VCDIFF file, or a header field is invalid.</summary>
    BadHeader = 1,

    /// <summary>A window is malformed: bad lengths, opcode, address, or leftover section bytes.</summary>
    Corrupt = 2,

    /// <summary>The delta ends in the middle of a header or window.</summary>
    Truncated = 3,

    /// <summary>A window's adler32 does not match the bytes it decoded to.</summary>
    ChecksumMismatch = 4,

    /// <summary>A valid VCDIFF feature this decoder does not implement (secondary compressor, custom code table).</summary>
    Unsupported = 5,

    /// <summary>The source (or earlier output) is shorter than a window's segment needs.</summary>
    SourceMismatch = 6,
}
