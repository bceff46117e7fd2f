namespace Vz.Vcdiff;

internal enum InstType : byte
{
    Noop = 0,
    Add = 1,
    Run = 2,
    Copy = 3,
}

/// <summary>One half of a code table entry: type, size (0 = size follows in the instruction section), mode.</summary>
internal readonly record struct HalfInst(InstType Type, byte Size, byte Mode);

/// <summary>
/// The default instruction code table of RFC 3284 section 5.6: 256 opcodes, each one or two
/// instructions. Built by the same loops the RFC describes rather than typed in.
/// </summary>
internal static class CodeTable
{
    public const int NearSlots = 4;
    public const int SameSlots = 3;
    public const int Modes = 2 + NearSlots + SameSlots;

    public static readonly (HalfInst First, HalfInst Second)[] Default = Build();

    private static (HalfInst, HalfInst)[] Build()
    {
        var table = new (HalfInst, HalfInst)[256];
        var none = new HalfInst(InstType.Noop, 0, 0);
        var i = 0;
        table[i++] = (new HalfInst(InstType.Run, 0, 0), none);
        for (var size = 0; size <= 17; size++)
            table[i++] = (new HalfInst(InstType.Add, (byte)size, 0), none);
        for (var mode = 0; mode < Modes; mode++)
        {
            table[i++] = (new HalfInst(InstType.Copy, 0, (byte)mode), none);
            for (var size = 4; size <= 18; size++)
                table[i++] = (new HalfInst(InstType.Copy, (byte)size, (byte)mode), none);
        }
        for (var mode = 0; mode < Modes; mode++)
        {
            // ADD+COPY: copy sizes 4..6 for the first six modes, only 4 for the same-cache modes.
            var maxCopy = mode < 6 ? 6 : 4;
            for (var add = 1; add <= 4; add++)
                for (var copy = 4; copy <= maxCopy; copy++)
                    table[i++] = (new HalfInst(InstType.Add, (byte)add, 0), new HalfInst(InstType.Copy, (byte)copy, (byte)mode));
        }
        for (var mode = 0; mode < Modes; mode++)
            table[i++] = (new HalfInst(InstType.Copy, 4, (byte)mode), new HalfInst(InstType.Add, 1, 0));
        if (i != 256)
            throw new InvalidOperationException($"default code table has {i} entries, expected 256");
        return table;
    }
}

/// <summary>The near/same address cache of RFC 3284 section 5.1-5.3 (s_near = 4, s_same = 3).</summary>
internal sealed class AddressCache
{
    private readonly long[] _near = new long[CodeTable.NearSlots];
    private readonly long[] _same = new long[CodeTable.SameSlots * 256];
    private int _nextNear;

    /// <summary>Every window starts with an empty cache.</summary>
    public void Reset()
    {
        Array.Clear(_near);
        Array.Clear(_same);
        _nextNear = 0;
    }

    /// <summary>Decodes a COPY address; <paramref name="here"/> is the current position in source+target space.</summary>
    public long Decode(long here, int mode, ref ByteReader addresses)
    {
        long addr;
        if (mode == 0)
            addr = addresses.Varint();
        else if (mode == 1)
            addr = here - addresses.Varint();
        else if (mode < 2 + CodeTable.NearSlots)
            addr = _near[mode - 2] + addresses.Varint();
        else
            addr = _same[(mode - 2 - CodeTable.NearSlots) * 256 + addresses.Byte()];
        Update(addr);
        return addr;
    }

    private void Update(long addr)
    {
        _near[_nextNear] = addr;
        _nextNear = (_nextNear + 1) % CodeTable.NearSlots;
        _same[(int)((ulong)addr % (ulong)_same.Length)] = addr;
    }
}
