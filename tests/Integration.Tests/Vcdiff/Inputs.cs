using System.Formats.Tar;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>Old/new file pairs shaped like what vz pushes: tars with a changed member, edits, moved blocks.</summary>
internal static class Inputs
{
    public static byte[] Random(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Text-like bytes, so xdelta3 finds matches inside the target too (overlapping copies, runs).</summary>
    public static byte[] Structured(int seed, int length)
    {
        var rng = new Random(seed);
        var words = new[] { "layer", "sha256", "blob", "manifest", "config", "\n", "    ", "0000000000", "/usr/lib/", "{\"a\":1}" };
        var bytes = new List<byte>(length);
        while (bytes.Count < length)
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(words[rng.Next(words.Length)]));
        return [.. bytes.Take(length)];
    }

    public static byte[] Tar(IEnumerable<(string Name, byte[] Content)> members)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), ModificationTime = DateTimeOffset.UnixEpoch };
                writer.WriteEntry(entry);
            }
        }
        return stream.ToArray();
    }

    public static byte[] Insert(byte[] bytes, int at, byte[] inserted) => [.. bytes[..at], .. inserted, .. bytes[at..]];

    public static byte[] Delete(byte[] bytes, int at, int count) => [.. bytes[..at], .. bytes[(at + count)..]];

    /// <summary>Moves <paramref name="count"/> bytes from <paramref name="from"/> to the end.</summary>
    public static byte[] MoveToEnd(byte[] bytes, int from, int count) => [.. bytes[..from], .. bytes[(from + count)..], .. bytes.AsSpan(from, count)];

    /// <summary>A seeded random mix of inserts, deletes, overwrites and moves.</summary>
    public static byte[] RandomEdits(byte[] bytes, int seed, int edits)
    {
        var rng = new Random(seed);
        for (var i = 0; i < edits; i++)
        {
            var at = rng.Next(bytes.Length + 1);
            var count = Math.Min(rng.Next(1, 4096), bytes.Length - at);
            bytes = rng.Next(4) switch
            {
                0 => Insert(bytes, at, Random(rng.Next(), rng.Next(1, 2048))),
                1 when count > 0 => Delete(bytes, at, count),
                2 when count > 0 => [.. bytes[..at], .. Random(rng.Next(), count), .. bytes[(at + count)..]],
                3 when count > 0 => MoveToEnd(bytes, at, count),
                _ => bytes,
            };
        }
        return bytes;
    }
}
