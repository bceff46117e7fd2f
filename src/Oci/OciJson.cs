using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vz.Oci;

/// <summary>Canonical bytes for OCI JSON blobs: compact, fixed field order, sorted maps; and their digests.</summary>
public static class OciJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The largest OCI JSON document (index, manifest, image config) vz reads: the size registries
    /// accept for a manifest (distribution-spec), far above what one image needs.
    /// </summary>
    public const long MaxDocumentBytes = 4 << 20;

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new VzException(OciErrors.BadJson, $"{what}: empty JSON");
        }
        catch (JsonException e)
        {
            throw new VzException(OciErrors.BadJson, $"{what}: {e.Message}");
        }
    }

    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static Descriptor Describe(string mediaType, byte[] bytes) => new(mediaType, Digest(bytes), bytes.Length);

    /// <summary>A map whose enumeration is in ordinal key order, so serialized JSON is stable.</summary>
    public static IReadOnlyDictionary<string, TValue> Sorted<TValue>(IEnumerable<KeyValuePair<string, TValue>> items) =>
        new SortedDictionary<string, TValue>(items.ToDictionary(), StringComparer.Ordinal);
}
