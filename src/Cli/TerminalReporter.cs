namespace Vz.Cli;

/// <summary>
/// On a terminal, redraws one status line per task in place; when stderr is piped,
/// falls back to <see cref="PlainReporter"/> so logs get plain lines.
/// </summary>
public sealed class TerminalReporter : IReporter
{
    readonly Lock gate = new();
    readonly Dictionary<string, string> lines = new();
    int drawn;

    public static IReporter Create() =>
        Console.IsErrorRedirected || Environment.GetEnvironmentVariable("TERM") is null or "dumb"
            ? PlainReporter.StdErr
            : new TerminalReporter();

    public void Info(string message) { lock (gate) { Clear(); Console.Error.WriteLine(RawText.Printable(message)); Draw(); } }

    public void Warn(string message) { lock (gate) { Clear(); Console.Error.WriteLine($"warning: {RawText.Printable(message)}"); Draw(); } }

    public void Progress(string task, long done, long total, string? status = null)
    {
        lock (gate)
        {
            lines[task] = RawText.Printable(Render(task, done, total, status));
            Clear();
            Draw();
        }
    }

    static string Render(string task, long done, long total, string? status)
    {
        if (total <= 0)
            return $"{task,-20} {status}";
        var frac = Math.Clamp((double)done / total, 0, 1);
        const int width = 30;
        var filled = (int)(frac * width);
        return $"{task,-20} [{new string('#', filled)}{new string('.', width - filled)}] {frac * 100,5:0.0}% {status}";
    }

    void Clear()
    {
        for (var i = 0; i < drawn; i++)
            Console.Error.Write("\x1b[1A\x1b[2K");
        drawn = 0;
    }

    void Draw()
    {
        foreach (var line in lines.Values)
            Console.Error.WriteLine(line);
        drawn = lines.Count;
    }
}
