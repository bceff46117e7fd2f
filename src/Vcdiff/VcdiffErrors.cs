namespace Vz.Vcdiff;

/// <summary>
/// Error codes of Vz.Vcdiff (VZ39xx); src/Vcdiff/README.md lists the same. Every failure the
/// decoder expects is a <see cref="VzException"/> with one of these and a message naming the
/// window and delta offset (or the file, for I/O).
/// </summary>
public static class VcdiffErrors
{
    public static readonly ErrorCode BadHeader = new("VZ3901", "not VCDIFF (magic), bad header bits, oversized app header");
    public static readonly ErrorCode Corrupt = new("VZ3902", "bad lengths, opcode, address, leftover section bytes, bad LZMA2/xz data");
    public static readonly ErrorCode Truncated = new("VZ3903", "the delta ends inside a header or window");
    public static readonly ErrorCode ChecksumMismatch = new("VZ3904", "a window's adler32 differs from its decoded bytes");
    public static readonly ErrorCode Unsupported = new("VZ3905", "a valid feature this decoder does not implement: djw/fgk, custom code table, external compression, VCD_TARGET into a write-only output, a source stream that cannot seek");
    public static readonly ErrorCode SourceMismatch = new("VZ3906", "no source, or the source is shorter than a window's segment");
    public static readonly ErrorCode OverLimit = new("VZ3907", "the delta asks for more memory than the documented limits (window, sections, LZMA dictionary)");
    public static readonly ErrorCode Io = new("VZ3908", "SOURCE, DELTA or OUTPUT cannot be opened, read or written");

    /// <summary>Every code, for the README and uniqueness tests.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } = [BadHeader, Corrupt, Truncated, ChecksumMismatch, Unsupported, SourceMismatch, OverLimit, Io];
}
