namespace Vz.Bundle;

/// <summary>The timestamp reproducible outputs use: https://reproducible-builds.org/specs/source-date-epoch/</summary>
public static class Reproducible
{
    /// <summary>Used when SOURCE_DATE_EPOCH is unset: the Unix epoch, so every mtime becomes 0.</summary>
    public const long DefaultEpoch = 0;

    /// <summary>Parses SOURCE_DATE_EPOCH's value (seconds since 1970); null or empty gives the default.</summary>
    public static long Epoch(string? sourceDateEpoch)
    {
        if (string.IsNullOrWhiteSpace(sourceDateEpoch))
            return DefaultEpoch;
        if (!long.TryParse(sourceDateEpoch.Trim(), out var s) || s < 0)
            throw new VzException(BundleErrors.BadSourceDateEpoch, $"SOURCE_DATE_EPOCH={sourceDateEpoch}: expected a non-negative integer of seconds");
        return s;
    }
}
