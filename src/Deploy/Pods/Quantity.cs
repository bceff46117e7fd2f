using System.Globalization;
using System.Text.RegularExpressions;

namespace Vz.Deploy.Pods;

/// <summary>
/// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a decimal number with
/// a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal one (k M G T P E, m for milli) or an exponent.
/// </summary>
public static partial class Quantity
{
    /// <summary>Podman refuses memory limits under 6 MiB (specgen's linuxMinMemory).</summary>
    public const long MinMemory = 6 * 1024 * 1024;

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?|\.[0-9]+)(?<s>Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m|[eE][+-]?[0-9]+)?$")]
    private static partial Regex Syntax();

    /// <summary>Bytes from a memory quantity ("128Mi", "0.5Gi", "512M", "134217728"); null with why when not whole bytes.</summary>
    public static (long? Bytes, string? Why) Memory(string text)
    {
        var v = Parse(text);
        if (v is null)
            return (null, $"'{text}' is not a quantity (e.g. 128Mi, 1Gi, 512M)");
        if (v.Value != decimal.Truncate(v.Value))
            return (null, $"'{text}' is not a whole number of bytes");
        if (v.Value < MinMemory)
            return (null, $"'{text}' is below podman's minimum memory limit of 6Mi");
        return ((long)v.Value, null);
    }

    /// <summary>Millicores from a cpu quantity ("500m", "1", "0.25").</summary>
    public static (long? Millis, string? Why) Cpu(string text)
    {
        var v = Parse(text);
        if (v is null)
            return (null, $"'{text}' is not a cpu quantity (e.g. 500m, 1, 0.25)");
        var millis = v.Value * 1000;
        if (millis != decimal.Truncate(millis) || millis < 1)
            return (null, $"'{text}' is not a whole number of millicores of at least 1m");
        return ((long)millis, null);
    }

    static decimal? Parse(string text)
    {
        var m = Syntax().Match(text);
        if (!m.Success)
            return null;
        var n = decimal.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        var s = m.Groups["s"].Value;
        try
        {
            return s switch
            {
                "" => n,
                "m" => n / 1000,
                "k" => n * 1_000m,
                "M" => n * 1_000_000m,
                "G" => n * 1_000_000_000m,
                "T" => n * 1_000_000_000_000m,
                "P" => n * 1_000_000_000_000_000m,
                "E" => n * 1_000_000_000_000_000_000m,
                "Ki" => n * (1L << 10),
                "Mi" => n * (1L << 20),
                "Gi" => n * (1L << 30),
                "Ti" => n * (1L << 40),
                "Pi" => n * (1L << 50),
                "Ei" => n * (1L << 60),
                _ => n * Pow10(int.Parse(s[1..], CultureInfo.InvariantCulture)),
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    static decimal Pow10(int e)
    {
        if (e is > 20 or < -20)
            throw new OverflowException();
        var r = 1m;
        for (var i = 0; i < Math.Abs(e); i++)
            r *= 10;
        return e < 0 ? 1 / r : r;
    }

    /// <summary>Bytes as a short text for messages: 128 MiB, 1.5 GiB.</summary>
    public static string Text(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.#} KiB",
        _ => $"{bytes} B",
    };
}
