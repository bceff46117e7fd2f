namespace Vz.Deploy.Ssh;

/// <summary>
/// A login password (node add's first login as root on a VPS): held in memory only, handed to SSH.NET,
/// and never shown — <see cref="ToString"/> does not reveal it, so no message, record or log can.
/// </summary>
public sealed class SshPassword(string value)
{
    internal string Value { get; } = value;

    public override string ToString() => "(password)";
}
