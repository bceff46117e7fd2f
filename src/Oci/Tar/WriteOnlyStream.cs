namespace Vz.Oci.Tar;

/// <summary>Base for the forward-only wrapper streams around archive output: subclasses only say what a write does.</summary>
public abstract class WriteOnlyStream(Stream? inner) : Stream
{
    protected Stream? Inner { get; } = inner;
    /// <summary>Bytes written so far.</summary>
    public long Written { get; protected set; }

    public abstract override void Write(ReadOnlySpan<byte> buffer);
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => Inner?.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
