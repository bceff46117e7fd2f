using System.Security.Cryptography;

namespace Vz.Oci.Tar;

/// <summary>A write-only stream that hashes and counts what passes, and passes it on when given a stream.</summary>
internal sealed class HashingStream(Stream? inner = null) : WriteOnlyStream(inner)
{
    readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public string Digest() => "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        sha.AppendData(buffer);
        Inner?.Write(buffer);
        Written += buffer.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) sha.Dispose();
        base.Dispose(disposing);
    }
}
