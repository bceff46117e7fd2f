using System.Security.Cryptography;

namespace Vz.Vcdiff.Tests;

/// <summary>One delta of the committed corpus (Corpus/corpus.tsv, written by Corpus/make-corpus.py).</summary>
public sealed record CorpusEntry(string Delta, string? Source, string Expect, string? Sha256, long Length, string What)
{
    public bool Decodes => Expect == "ok";

    public string DeltaPath => Path.Combine(Corpus.Dir, "deltas", Delta);

    public string? SourcePath => Source is null ? null : Path.Combine(Corpus.Dir, "sources", Source);

    public override string ToString() => Delta;
}

/// <summary>The committed corpus: real xdelta3 deltas, an independent encoder's, and crafted hostile ones.</summary>
public static class Corpus
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static IReadOnlyList<CorpusEntry> All { get; } = File.ReadAllLines(Path.Combine(Dir, "corpus.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(f => new CorpusEntry(f[0], f[1] == "-" ? null : f[1], f[2], f[3] == "-" ? null : f[3], f[4] == "-" ? -1 : long.Parse(f[4]), f[5]))
        .ToList();

    public static CorpusEntry Get(string delta) => All.Single(e => e.Delta == delta);

    public static TheoryData<string> Names(Func<CorpusEntry, bool> which) => new(All.Where(which).Select(e => e.Delta));
}

/// <summary>An output that only counts and hashes what it is given: large corpus outputs never sit in memory.</summary>
internal sealed class HashingStream : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;

    public string Sha256() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _sha.AppendData(buffer);
        _length += buffer.Length;
    }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _sha.Dispose();
        base.Dispose(disposing);
    }
}
