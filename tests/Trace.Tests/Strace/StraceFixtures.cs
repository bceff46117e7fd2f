using System.Text;
using Vz.Trace.Strace;

namespace Vz.Trace.Tests.Strace;

/// <summary>Opens the committed strace logs under fixtures/strace.</summary>
internal static class StraceFixtures
{
    public static string Dir { get; } = FindDir();

    public static string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Latin-1, as the Tracer reads logs: one char per byte.</summary>
    public static StreamReader Open(string name) => new(PathOf(name), Encoding.Latin1);

    public static List<StraceEvent> Parse(string name)
    {
        using var reader = Open(name);
        return StraceParser.Parse(reader).ToList();
    }

    public static List<StraceEvent> ParseText(string text) => StraceParser.Parse(new StringReader(text)).ToList();

    public static TraceResult Track(string name, TrackerOptions? options = null) =>
        AccessTracker.Track(Parse(name), options ?? new TrackerOptions { InitialCwd = "/tmp/vz-trace-capture" });

    static string FindDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "vz.slnx")))
                return Path.Combine(dir.FullName, "fixtures", "strace");
        }
        throw new InvalidOperationException("cannot find the repository root (vz.slnx) above " + AppContext.BaseDirectory);
    }
}
