// In namespace Vz, where it lived in product code before, so the tests using it read unchanged.
namespace Vz;

/// <summary>An <see cref="IReporter"/> that keeps every line, for tests to look at.</summary>
public sealed class CollectingReporter : IReporter
{
    readonly Lock gate = new();
    public List<string> Lines { get; } = new();
    public void Info(string message) { lock (gate) Lines.Add(message); }
    public void Warn(string message) { lock (gate) Lines.Add($"warning: {message}"); }
    public void Progress(string task, long done, long total, string? status = null) { }
}
