namespace Vz.Deploy.Push;

/// <summary>What rebuilds an archive from a delta on the node.</summary>
public enum DeltaDecoder
{
    /// <summary>The node's own xdelta3.</summary>
    Xdelta3,
    /// <summary>vz's static VCDIFF decoder (src/Vzpatch), for nodes without xdelta3 (Rocky/Alma 8).</summary>
    Vzpatch,
}

/// <summary>Whether to try a delta, what applies it, whether vzpatch must be copied first, and a note.</summary>
public sealed record DeltaDecision(bool Try, string? Note, DeltaDecoder Decoder, bool InstallVzpatch)
{
    public static DeltaDecision No(string? note) => new(false, note, DeltaDecoder.Xdelta3, false);
}

/// <summary>
/// The master's vzpatch binary (a static NativeAOT linux-x64 build, so it runs on any Linux x86_64
/// node whatever its glibc). On the node it lives at STORE/.vz/vzpatch-HEX16, named by its sha256 so
/// a node never runs a different build under a name it already verified.
/// </summary>
public sealed record VzpatchBinary(string LocalPath, long Size, string Sha256)
{
    /// <summary>What vzpatch is built for (`uname -sm` on the node).</summary>
    public const string Platform = "Linux x86_64";

    public const string EnvVar = "VZ_VZPATCH";

    public string FileName => $"vzpatch-{Sha256[..16]}";

    public static bool IsFileName(string name) =>
        name.Length == 8 + 16 && name.StartsWith("vzpatch-") && name[8..].All(char.IsAsciiHexDigitLower);

    public static VzpatchBinary Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new VzException(DeployErrors.VzpatchNotFound, $"vzpatch not found: {path}", "build it with: dotnet publish src/Vzpatch -r linux-x64 -c Release -o DIR");
        return new VzpatchBinary(info.FullName, info.Length, ImageArchive.Sha256Of(info.FullName));
    }

    /// <summary>
    /// The vzpatch to copy to nodes without xdelta3: --vzpatch, else $VZ_VZPATCH (either must exist),
    /// else the one a published vzbuild carries beside itself, else none (those nodes get full uploads).
    /// </summary>
    public static VzpatchBinary? Find(string? option, string? env, string besideDir)
    {
        if (option is { Length: > 0 })
            return Of(option);
        if (env is { Length: > 0 })
            return Of(env);
        var beside = Path.Combine(besideDir, "vzpatch");
        return File.Exists(beside) ? Of(beside) : null;
    }

    /// <summary><see cref="Find(string?, string?, string)"/> with the process's environment and vzbuild's directory.</summary>
    public static VzpatchBinary? Find(string? option = null) =>
        Find(option, Environment.GetEnvironmentVariable(EnvVar), AppContext.BaseDirectory);
}
