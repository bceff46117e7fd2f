namespace Vz.Vcdiff;

/// <summary>Adler-32 (RFC 1950 section 8.2), as xdelta3 stores it per window with VCD_ADLER32.</summary>
internal static class Adler32
{
    private const uint Mod = 65521;

    // Largest n such that 255n(n+1)/2 + (n+1)(Mod-1) fits in 32 bits (zlib's NMAX).
    private const int MaxBlock = 5552;

    public static uint Compute(ReadOnlySpan<byte> data, uint adler = 1)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, MaxBlock);
            foreach (var x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }
}
