using Vz.Vcdiff;

namespace Vz.Vzpatch;

/// <summary>vzpatch's exit codes (README table); a pure function of the outcome so it is tested directly.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 2;
    public const int Io = 3;
    public const int BadDelta = 4;
    public const int Unsupported = 5;
    public const int WrongSource = 6;

    /// <summary>
    /// 4 and 5 mean "send a full upload instead" (a delta over vzpatch's limits is refused like an
    /// unsupported feature); 6 means the node's old archive is not what the master thinks.
    /// </summary>
    public static int For(ErrorCode error) =>
        error == VcdiffErrors.Io ? Io
        : error == VcdiffErrors.Unsupported || error == VcdiffErrors.OverLimit ? Unsupported
        : error == VcdiffErrors.SourceMismatch ? WrongSource
        : BadDelta;
}
