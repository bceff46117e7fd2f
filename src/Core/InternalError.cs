namespace Vz;

/// <summary>
/// How an exception vz did not expect (anything but a <see cref="VzException"/> or cancellation)
/// reaches the user: as a bug to report, with its type, message and where it was thrown, never
/// dressed up as a failure of the outside world. The CLI exits with its own code for it.
/// </summary>
public static class InternalError
{
    public const string Preface = "internal error: this is a bug in vz, please report it";

    public static string Describe(Exception e)
    {
        var at = e.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return $"{Preface}: {e.GetType().FullName}: {e.Message}" + (at is null ? "" : $" ({at})");
    }
}
