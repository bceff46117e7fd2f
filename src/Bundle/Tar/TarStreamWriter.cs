using System.Text;

using Vz.Bundle.Fs;

namespace Vz.Bundle.Tar;

/// <summary>
/// The one tar writer vz has (bundle packs and image layers). Output is a pure function of
/// the entries: POSIX ustar headers, a pax extended header only when a value does not fit
/// (long names, big ids or sizes) with a fixed name and records in key order, numeric owners
/// with empty user/group names, mtimes clamped to [0, clamp], no atime/ctime.
/// System.Formats.Tar is not used for writing because its pax header names carry the process id.
/// Format: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
/// </summary>
public sealed class TarStreamWriter(Stream output, long mtimeClamp)
{
    const int Block = 512;
    const long MaxOctal7 = 0x1FFFFF;      // 7 octal digits
    const long MaxOctal11 = 0x1FFFFFFFF;  // 11 octal digits
    static readonly byte[] Zeros = new byte[Block * 2];

    /// <summary>Writes entries (content from SourcePath or Data) and the end-of-archive blocks.</summary>
    public static void WriteAll(IEnumerable<TarEntry> entries, Stream output, long mtimeClamp)
    {
        var w = new TarStreamWriter(output, mtimeClamp);
        foreach (var e in entries)
            w.Write(e);
        w.Finish();
    }

    public void Write(TarEntry e)
    {
        if (e.Kind != TarEntryKind.File || e.Size == 0)
        {
            WriteHeaders(e);
            return;
        }
        if (e.Data is { } data)
        {
            WriteHeaders(e);
            output.Write(data.Span);
            Pad(data.Length);
            return;
        }
        using var src = new FileStream(e.SourcePath ?? throw new ArgumentException($"{e.Name}: no content"), FileMode.Open, FileAccess.Read);
        Write(e, dst => src.CopyTo(dst));
    }

    /// <summary>Writes a file entry whose content the callback writes; it must write exactly Size bytes.</summary>
    public void Write(TarEntry e, Action<Stream> content)
    {
        WriteHeaders(e);
        var bounded = new BoundedStream(output, e.Size);
        content(bounded);
        if (bounded.Written != e.Size)
            throw new VzException("VZ2011", $"{e.Name}: expected {e.Size} bytes, got {bounded.Written} (did it change while packing?)");
        Pad(e.Size);
    }

    public void Finish() => output.Write(Zeros);

    void WriteHeaders(TarEntry e)
    {
        var mtime = Math.Clamp(e.MTime, 0, mtimeClamp);
        var name = Encoding.UTF8.GetBytes(e.Name);
        var link = Encoding.UTF8.GetBytes(e.LinkName ?? "");
        // pax records, in key order so the header is stable.
        var pax = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (e.Gid > MaxOctal7) pax["gid"] = e.Gid.ToString();
        if (link.Length > 100) pax["linkpath"] = e.LinkName!;
        if (name.Length > 100) pax["path"] = e.Name;
        if (e.Size > MaxOctal11) pax["size"] = e.Size.ToString();
        if (e.Uid > MaxOctal7) pax["uid"] = e.Uid.ToString();
        if (pax.Count > 0)
        {
            var body = PaxBody(pax);
            var baseName = e.Name.TrimEnd('/');
            baseName = baseName[(baseName.LastIndexOf('/') + 1)..];
            var paxName = "PaxHeaders/" + TruncateUtf8(baseName, 80);
            output.Write(Header(Encoding.UTF8.GetBytes(paxName), (byte)'x', Modes.O644, 0, 0, body.Length, mtime, [], 0, 0));
            output.Write(body);
            Pad(body.Length);
        }
        var size = e.Kind == TarEntryKind.File ? e.Size : 0;
        output.Write(Header(name.Length > 100 ? Encoding.UTF8.GetBytes(TruncateUtf8(e.Name, 100)) : name,
            TypeFlag(e.Kind), e.Mode & 0xFFF,
            e.Uid > MaxOctal7 ? 0 : e.Uid, e.Gid > MaxOctal7 ? 0 : e.Gid,
            size > MaxOctal11 ? 0 : size, mtime,
            link.Length > 100 ? Encoding.UTF8.GetBytes(TruncateUtf8(e.LinkName!, 100)) : link,
            e.DevMajor, e.DevMinor));
    }

    static byte TypeFlag(TarEntryKind k) => k switch
    {
        TarEntryKind.File => (byte)'0',
        TarEntryKind.HardLink => (byte)'1',
        TarEntryKind.Symlink => (byte)'2',
        TarEntryKind.CharDevice => (byte)'3',
        TarEntryKind.BlockDevice => (byte)'4',
        TarEntryKind.Directory => (byte)'5',
        _ => (byte)'6',
    };

    static byte[] Header(byte[] name, byte type, int mode, long uid, long gid, long size, long mtime, byte[] link, uint major, uint minor)
    {
        var h = new byte[Block];
        name.CopyTo(h, 0);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, mtime);
        h[156] = type;
        link.CopyTo(h, 157);
        "ustar\000"u8.CopyTo(h.AsSpan(257));
        Octal(h, 329, 8, major);
        Octal(h, 337, 8, minor);
        // Checksum: sum of all header bytes with the checksum field read as spaces.
        for (var i = 148; i < 156; i++) h[i] = (byte)' ';
        long sum = 0;
        foreach (var b in h) sum += b;
        Octal(h, 148, 7, sum);
        return h;
    }

    /// <summary>Zero-padded octal, NUL-terminated, filling the field.</summary>
    static void Octal(byte[] h, int offset, int width, long value)
    {
        var s = Convert.ToString(value, 8).PadLeft(width - 1, '0');
        Encoding.ASCII.GetBytes(s, 0, width - 1, h, offset);
        h[offset + width - 1] = 0;
    }

    static byte[] PaxBody(SortedDictionary<string, string> records)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in records)
        {
            // Each record is "LEN KEY=VALUE\n" where LEN counts the whole record, its own digits included.
            var rest = Encoding.UTF8.GetByteCount($" {key}={value}\n");
            var len = rest + 1;
            while (len.ToString().Length + rest != len) len++;
            sb.Append($"{len} {key}={value}\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    static string TruncateUtf8(string s, int maxBytes)
    {
        while (Encoding.UTF8.GetByteCount(s) > maxBytes)
            s = s[..^1];
        return s;
    }

    void Pad(long length)
    {
        var rem = (int)(length % Block);
        if (rem != 0)
            output.Write(Zeros, 0, Block - rem);
    }

    /// <summary>Passes writes through, refusing more than the declared size.</summary>
    sealed class BoundedStream(Stream inner, long limit) : WriteOnlyStream(inner)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Written + buffer.Length > limit)
                throw new VzException("VZ2011", $"tar entry content exceeds its declared size {limit}");
            Inner!.Write(buffer);
            Written += buffer.Length;
        }
    }
}
