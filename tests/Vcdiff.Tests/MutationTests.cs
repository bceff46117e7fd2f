namespace Vz.Vcdiff.Tests;

/// <summary>
/// The VCDIFF reader under hostile input: every truncation and every inverted byte of small
/// corpus deltas, and thousands of random mutations (bit flips, inflated length fields, reversed,
/// deleted and duplicated ranges), each end in a VZ39xx error or a result the checks below
/// accept, within the buffer bound and a per-case time limit.
/// </summary>
public sealed class MutationTests
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);
    private static readonly VcdiffOptions Options = new();

    // Small deltas with an adler32 on every window: plain and lzma, xdelta3's and the independent
    // encoder's (all address modes, double opcodes), several windows each.
    private static readonly string[] SeedNames =
    [
        "xd3-bin-none9W64k.vcdiff",
        "xd3-bin-lzma9W64k.vcdiff",
        "ind-bin-lzma.vcdiff",
        "ind-text-random-modes.vcdiff",
        "ind-text-srcwindow.vcdiff",
    ];

    public static TheoryData<string> Seeds => new(SeedNames);

    private sealed record Seed(byte[] Delta, byte[]? Source, byte[] Expected, VcdiffResult Result);

    private sealed record Outcome(VzException? Error, byte[]? Output, VcdiffResult? Result);

    private static Seed Load(string name)
    {
        var entry = Corpus.Get(name);
        var delta = File.ReadAllBytes(entry.DeltaPath);
        var source = entry.SourcePath is null ? null : File.ReadAllBytes(entry.SourcePath);
        var output = new MemoryStream();
        var result = VcdiffDecoder.Decode(source is null ? null : new MemoryStream(source), new MemoryStream(delta), output);
        Assert.Equal(result.Windows, result.ChecksummedWindows);
        Assert.True(result.Windows >= 2, $"{name} has {result.Windows} windows");
        return new Seed(delta, source, output.ToArray(), result);
    }

    /// <summary>Decodes on a worker with a time limit; checks the error is typed and the allocation bounded.</summary>
    private static async Task<Outcome> Run(Seed seed, byte[] delta, string what)
    {
        var run = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var output = new MemoryStream();
            Outcome outcome;
            try
            {
                var result = VcdiffDecoder.Decode(seed.Source is null ? null : new MemoryStream(seed.Source), new MemoryStream(delta), output, Options);
                outcome = new Outcome(null, output.ToArray(), result);
            }
            catch (VzException e)
            {
                outcome = new Outcome(e, null, null);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 2 * Options.BufferBound, $"{what}: allocated {allocated >> 20} MiB");
            return outcome;
        });
        var done = await run.WaitAsync(PerCase);
        if (done.Error is { } e)
        {
            Assert.Matches("^VZ390[1-8]$", e.Code);
            Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
            Assert.DoesNotContain('\n', e.Message);
        }
        return done;
    }

    /// <summary>One byte changed: every window carries an adler32, so a decode either equals the target or lost a checksum.</summary>
    private static void AssertCorrectOrUnverified(Seed seed, Outcome outcome, string what)
    {
        if (outcome.Result is not { } result)
            return;
        Assert.True(outcome.Output!.AsSpan().SequenceEqual(seed.Expected) || result.ChecksummedWindows < seed.Result.ChecksummedWindows,
            $"{what}: decoded {outcome.Output!.Length} bytes that differ from the target with every window checksummed");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task EveryTruncationFailsTypedOrIsAWholeWindowPrefix(string name)
    {
        var seed = Load(name);
        for (var length = 0; length < seed.Delta.Length; length++)
        {
            var outcome = await Run(seed, seed.Delta[..length], $"{name} cut at {length}");
            // VCDIFF has no trailer: a cut exactly between windows is a shorter valid delta.
            if (outcome.Output is { } output)
                Assert.True(seed.Expected.AsSpan().StartsWith(output), $"{name} cut at {length} decoded to bytes that are not a prefix of the target");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task EveryInvertedByteFailsTypedOrDecodesCorrectly(string name)
    {
        var seed = Load(name);
        var errors = 0;
        for (var i = 0; i < seed.Delta.Length; i++)
        {
            var delta = (byte[])seed.Delta.Clone();
            delta[i] ^= 0xFF;
            var outcome = await Run(seed, delta, $"{name} byte {i} inverted");
            AssertCorrectOrUnverified(seed, outcome, $"{name} byte {i} inverted");
            if (outcome.Error is not null)
                errors++;
        }
        Assert.True(errors > seed.Delta.Length * 9 / 10, $"{name}: only {errors} of {seed.Delta.Length} inversions were caught");
    }

    [Fact]
    public async Task ThousandsOfRandomMutationsEndInATypedErrorOrAResult()
    {
        var seeds = SeedNames.Select(name => (Name: name, Seed: Load(name))).ToList();
        var rng = new Random(3284);
        var kinds = new int[8];
        for (var i = 0; i < 4000; i++)
        {
            var (name, seed) = seeds[i % seeds.Count];
            var kind = rng.Next(kinds.Length);
            kinds[kind]++;
            var delta = Mutate(seed.Delta, kind, rng);
            var what = $"{name} mutation {i} (kind {kind})";
            var outcome = await Run(seed, delta, what);
            if (kind is 0 or 1)
                AssertCorrectOrUnverified(seed, outcome, what);
            if (outcome.Output is { } output)
                Assert.Equal(outcome.Result!.TargetLength, output.Length);
        }
        Assert.All(kinds, n => Assert.True(n > 300));
    }

    /// <summary>0 bit flip, 1 byte set to an extreme, 2 length inflated, 3 range reversed, 4 range deleted, 5 range duplicated, 6 bytes inserted, 7 range inverted.</summary>
    private static byte[] Mutate(byte[] delta, int kind, Random rng)
    {
        var at = rng.Next(delta.Length);
        var count = Math.Min(1 + rng.Next(64), delta.Length - at);
        switch (kind)
        {
            case 0:
            {
                var copy = (byte[])delta.Clone();
                copy[at] ^= (byte)(1 << rng.Next(8));
                return copy;
            }
            case 1:
            {
                var copy = (byte[])delta.Clone();
                copy[at] = (byte)(rng.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x80, _ => 0x7F });
                return copy;
            }
            case 2:
                // A varint made longer and larger: 0xFF continuation bytes before a byte (RFC 3284 section 2).
                return [.. delta[..at], .. Enumerable.Repeat((byte)0xFF, 1 + rng.Next(5)), (byte)(delta[at] & 0x7F), .. delta[(at + 1)..]];
            case 3:
            {
                var copy = (byte[])delta.Clone();
                Array.Reverse(copy, at, count);
                return copy;
            }
            case 4:
                return [.. delta[..at], .. delta[(at + count)..]];
            case 5:
                return [.. delta[..(at + count)], .. delta.AsSpan(at, count), .. delta[(at + count)..]];
            case 6:
            {
                var inserted = new byte[1 + rng.Next(16)];
                rng.NextBytes(inserted);
                return [.. delta[..at], .. inserted, .. delta[at..]];
            }
            default:
            {
                var copy = (byte[])delta.Clone();
                for (var i = at; i < at + count; i++)
                    copy[i] ^= 0xFF;
                return copy;
            }
        }
    }
}
