namespace Vz;

/// <summary>
/// The one error type that reaches the user. Every failure vz expects (bad input,
/// a missing tool, a node that refused) is one of these, with a stable code from its
/// library's table (<see cref="ErrorCode"/>; ranges in the top README) and an optional hint.
/// The CLI prints it as one line plus the hint; anything else is a bug (<see cref="InternalError"/>).
/// </summary>
public class VzException : Exception
{
    public VzException(ErrorCode error, string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        Code = error.Id;
        Hint = hint;
    }

    /// <summary>The code with its meaning.</summary>
    public ErrorCode Error { get; }

    /// <summary>Stable code such as VZ1001; listed in the README.</summary>
    public string Code { get; }

    /// <summary>What the user can do about it, or null.</summary>
    public string? Hint { get; }

    /// <summary>Wraps this error with what was being done: "push to node-a: ...".</summary>
    public VzException Context(string doing) => new(Error, $"{doing}: {Message}", Hint, this);
}
