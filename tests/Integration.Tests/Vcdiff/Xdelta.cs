using Vz.Integration.Tests.Infra;
using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>The real xdelta3 (harness/install-packages.sh installs it) and a temp dir per test.</summary>
internal sealed class Xdelta : IDisposable
{
    private readonly ScratchDir _dir = new("vcdiff");

    public Xdelta() => Tools.Require("xdelta3");

    public string Dir => _dir.Path;

    public string Path(string name) => _dir[name];

    public string Write(string name, byte[] bytes)
    {
        var path = Path(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Encodes NEW against OLD with the given flags; returns the delta's path.</summary>
    public string Encode(string oldPath, string newPath, string flags)
    {
        var delta = Path($"delta-{Guid.NewGuid():N}.vcdiff");
        Run([.. Split(flags), "-f", "-s", oldPath, newPath, delta]);
        return delta;
    }

    /// <summary>What xdelta3 itself decodes the delta to.</summary>
    public byte[] Decode(string oldPath, string delta)
    {
        var output = Path($"xd3-{Guid.NewGuid():N}.out");
        Run(["-d", "-f", "-B", "16777216", "-s", oldPath, delta, output]);
        return File.ReadAllBytes(output);
    }

    private static void Run(string[] args)
    {
        var result = ProcessRunner.Run(new ProcessSpec("xdelta3", args));
        if (!result.Ok)
            throw new InvalidOperationException($"xdelta3 {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}");
    }

    private static string[] Split(string flags) => flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose() => _dir.Dispose();
}

/// <summary>Decodes in-process through the public API.</summary>
internal static class Apply
{
    public static byte[] Delta(string oldPath, string deltaPath, VcdiffOptions? options = null) =>
        Delta(oldPath, File.ReadAllBytes(deltaPath), options);

    public static byte[] Delta(string? oldPath, byte[] delta, VcdiffOptions? options = null)
    {
        using var source = oldPath is null ? null : File.OpenRead(oldPath);
        using var output = new MemoryStream();
        VcdiffDecoder.Decode(source, new MemoryStream(delta), output, options);
        return output.ToArray();
    }
}
