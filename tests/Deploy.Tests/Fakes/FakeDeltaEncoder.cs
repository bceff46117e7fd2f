using System.Security.Cryptography;
using System.Text;

namespace Vz.Deploy.Tests.Fakes;

/// <summary>
/// The master's xdelta3 for push's unit tests (an <see cref="IProcessRunner"/> that answers only
/// "xdelta3 -e"): a toy delta of two archives of one size that differ in one run of bytes,
/// "SHA256(OLD) OFFSET\n" then the new bytes of that run. <see cref="DecoderScript"/> applies it on
/// a <see cref="LoopbackNode"/> and, like vzpatch, refuses a source with another hash (exit 6).
/// </summary>
public sealed class FakeDeltaEncoder : IProcessRunner
{
    public const string DecoderScript = """
        # fakedelta OLD DELTA OUT
        read -r want offset < "$2" || exit 4
        have=$(sha256sum < "$1") && have=${have%% *}
        [ "$want" = "$have" ] || { echo "fakedelta: $1 is not the source this delta was made from" >&2; exit 6; }
        cp -f "$1" "$3" && tail -c +$(( ${#want} + ${#offset} + 3 )) "$2" | dd of="$3" bs=1 seek="$offset" conv=notrunc status=none
        """;

    /// <summary>How many deltas were made.</summary>
    public int Encoded { get; private set; }

    /// <summary>When set, every delta decodes to an archive with this byte changed: a delta that verifies in flight but rebuilds wrong.</summary>
    public bool Wrong { get; init; }

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        if (spec.FileName != "xdelta3" || spec.Args[0] != "-e")
            throw new InvalidOperationException($"the fake runs only xdelta3 -e, not {spec.FileName} {string.Join(' ', spec.Args)}");
        var (oldPath, newPath, dest) = (spec.Args[^3], spec.Args[^2], spec.Args[^1]);
        var (old, @new) = (File.ReadAllBytes(oldPath), File.ReadAllBytes(newPath));
        if (old.Length != @new.Length)
            throw new InvalidOperationException("the fake encodes only archives of one size");
        var first = Enumerable.Range(0, old.Length).FirstOrDefault(i => old[i] != @new[i]);
        var last = Enumerable.Range(0, old.Length).LastOrDefault(i => old[i] != @new[i]);
        var run = @new[first..(last + 1)];
        if (Wrong)
            run[0] ^= 0xff;
        var header = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(old))} {first}\n");
        File.WriteAllBytes(dest, [.. header, .. run]);
        Encoded++;
        return Task.FromResult(new ProcessResult(0, "", ""));
    }
}
