namespace Vz.Deploy.Fleet;

/// <summary>
/// What validating a fleet reads from the operator's machine: files and environment variables.
/// The validator is a function of these; <see cref="LocalFleetSources"/> is the real machine.
/// </summary>
public interface IFleetSources
{
    /// <summary>The text of a file, or null when it does not exist.</summary>
    string? ReadText(string path);

    bool Exists(string path);

    /// <summary>An environment variable, or null when unset.</summary>
    string? Environment(string name);
}

public sealed class LocalFleetSources : IFleetSources
{
    public static LocalFleetSources Instance { get; } = new();

    public string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    public bool Exists(string path) => File.Exists(path);

    public string? Environment(string name) => System.Environment.GetEnvironmentVariable(name);
}
