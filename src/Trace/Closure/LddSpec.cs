using Vz.Fs;
using Vz.Trace.Elf;

namespace Vz.Trace.Closure;

/// <summary>
/// <c>vzbuild ldd</c>: a spec from ELF headers alone. The binaries are found inside the
/// root (a bare name on the search path), closed over, and the first becomes the spec's
/// command. Nothing is run, so files a program opens at run time (data, plugins) are
/// missing: trace for those, or add <c>+ GLOB</c> lines.
/// </summary>
public static class LddSpec
{
    public static (Spec.Spec Spec, IReadOnlyList<string> Warnings) Build(IReadOnlyList<string> binaries, ClosureOptions options)
    {
        if (binaries.Count == 0)
            throw new VzException(TraceErrors.BinaryNotFound, "no binary given", "vzbuild ldd /usr/bin/perl");
        var fs = ClosureResolver.OpenRoot(options.Root);
        var paths = binaries.Select(b => Locate(fs, b, options)).ToArray();
        var closure = ClosureResolver.Resolve(paths, options);
        var warnings = closure.NeedsLoaderCache
            ? [.. closure.Warnings, "some libraries are found only through /etc/ld.so.conf: an image of this spec needs its own /etc/ld.so.cache (ldconfig -r ROOTFS)"]
            : closure.Warnings;
        return (Spec.Spec.FromPaths(closure.Paths, [paths[0]]), warnings);
    }

    /// <summary>
    /// The absolute path (inside the root) of a binary named on the command line. Kept as
    /// named, not canonical: multi-call programs (busybox) look at the name they run as.
    /// </summary>
    public static string Locate(RootFs fs, string binary, ClosureOptions options)
    {
        if (binary.Contains('/'))
        {
            // A relative path means the caller's cwd on the host; inside another root, the root's top.
            var path = binary.StartsWith('/') ? binary
                : fs.Root == "/" ? Path.GetFullPath(binary) : "/" + binary;
            var resolved = fs.Resolve(path);
            if (!resolved.Ok)
                throw new VzException(TraceErrors.BinaryNotFound, $"{binary}: not found in {fs.Root}");
            RequireProgram(fs, resolved, binary);
            return RootFs.Normalize(path);
        }
        if (fs.Which(binary, options.SearchPath) is { Path: { } found, Resolution: { } r })
        {
            RequireProgram(fs, r, binary);
            return found;
        }
        throw new VzException(TraceErrors.BinaryNotFound, $"{binary}: not found on {string.Join(':', options.SearchPath)} in {fs.Root}",
            "give the binary's absolute path");
    }

    /// <summary>
    /// A binary's spec is what running it needs, so it must be something execve(2) runs: an ELF
    /// file whose headers are whole, or a #! script. Anything else (a directory, a device, a text
    /// file, a cut-short copy) would give a spec of nothing that the user did not mean.
    /// </summary>
    static void RequireProgram(RootFs fs, Resolution found, string binary)
    {
        var host = fs.HostPath(found.Path);
        if (!found.Is(UnixFileType.Regular))
            throw new VzException(TraceErrors.NotAProgram, $"{binary}: {host} is {FileStat.Describe(found.Stat!.Type)}, not a program");
        try
        {
            using var stream = File.OpenRead(host);
            var head = ProgramFile.ReadHead(stream);
            if (!ElfHeaders.HasMagic(head))
            {
                if (Shebang.Parse(head) is null)
                    throw new VzException(TraceErrors.NotAProgram, $"{binary}: {host} is neither an ELF file nor a #! script");
                return;
            }
            stream.Position = 0;
            if (ElfHeaders.Read(stream) is null)
                throw new VzException(TraceErrors.NotAProgram, $"{binary}: {host} has ELF magic but no ELF header it can read");
        }
        catch (InvalidDataException e)
        {
            throw new VzException(TraceErrors.NotAProgram, $"{binary}: {host}: {e.Message} (cut short or corrupt?)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(TraceErrors.NotAProgram, $"{binary}: cannot read {host}: {e.Message}");
        }
    }

}
