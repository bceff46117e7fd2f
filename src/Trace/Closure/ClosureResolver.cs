namespace Vz.Trace.Closure;

/// <summary>Where and how to resolve a closure.</summary>
public sealed record ClosureOptions
{
    /// <summary>The filesystem root the paths live in ("/" for the host, a rootfs for minify).</summary>
    public string Root { get; init; } = "/";
    /// <summary>PATH used to resolve <c>#!/usr/bin/env prog</c> shebangs, inside Root.</summary>
    public IReadOnlyList<string> SearchPath { get; init; } =
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
    /// <summary>Add the resolver/NSS set a container needs (nsswitch.conf, libnss_files, /etc/hosts...).</summary>
    public bool IncludeNss { get; init; } = true;
}

/// <summary>The closed set of paths (absolute, as seen inside Root) and any warnings.</summary>
public sealed record ClosureResult(IReadOnlyList<string> Paths, IReadOnlyList<string> Warnings);

/// <summary>
/// Closes a set of paths over everything they need to work in a container:
/// symlinks along each path and their targets, ELF interpreters and DT_NEEDED
/// libraries, shebang interpreters; drops pseudo-filesystem contents.
/// </summary>
public static class ClosureResolver
{
    public static ClosureResult Resolve(IEnumerable<string> paths, ClosureOptions options) =>
        throw new NotImplementedException("closure lands with the ELF/closure work");
}
