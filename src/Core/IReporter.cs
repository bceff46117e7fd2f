namespace Vz;

/// <summary>
/// How libraries tell the user what is happening, without knowing whether a
/// terminal is attached. The CLI draws progress bars on a terminal and prints
/// plain lines when piped; tests collect the messages (tests/Support).
/// </summary>
public interface IReporter
{
    /// <summary>A plain informational line ("wrote spec ./spec (214 files)").</summary>
    void Info(string message);

    /// <summary>Something the user should see but that does not fail the command.</summary>
    void Warn(string message);

    /// <summary>Progress of one named piece of work (a node, a file); total 0 when unknown.</summary>
    void Progress(string task, long done, long total, string? status = null);
}

/// <summary>Writes lines to stderr (escaped: <see cref="RawText.Printable"/>); progress as occasional plain lines. Used when piped.</summary>
public sealed class PlainReporter(TextWriter output) : IReporter
{
    readonly Dictionary<string, string> last = new();
    readonly Lock gate = new();

    public static PlainReporter StdErr { get; } = new(Console.Error);

    public void Info(string message) { lock (gate) output.WriteLine(RawText.Printable(message)); }

    public void Warn(string message) { lock (gate) output.WriteLine($"warning: {RawText.Printable(message)}"); }

    public void Progress(string task, long done, long total, string? status = null)
    {
        // Logs get one line per 10% step of a measured task, or per change of stage when
        // there is no total; a status that counts bytes would otherwise print every call.
        var key = total > 0 ? $"{done * 10 / total}" : status ?? "";
        lock (gate)
        {
            if (last.TryGetValue(task, out var seen) && seen == key)
                return;
            last[task] = key;
            var pct = total > 0 ? $" {done * 100 / total}%" : "";
            output.WriteLine(RawText.Printable($"{task}:{pct} {status}".TrimEnd()));
        }
    }
}
