using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vz.Oci;

/// <summary>Reads and writes config.json. Output is stable: fixed field order, sorted annotations.</summary>
public static class RuntimeConfigJson
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize(RuntimeConfig config)
    {
        var stable = config with
        {
            Annotations = config.Annotations is null ? null
                : new SortedDictionary<string, string>(config.Annotations.ToDictionary(), StringComparer.Ordinal),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(stable, Options);
        return [.. bytes, (byte)'\n'];
    }

    public static RuntimeConfig Deserialize(Stream json, string fileName)
    {
        try
        {
            return JsonSerializer.Deserialize<RuntimeConfig>(json, Options)
                ?? throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: empty runtime config");
        }
        catch (JsonException e)
        {
            throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: not an OCI runtime config: {e.Message}");
        }
    }

    public static void Save(RuntimeConfig config, string path) => File.WriteAllBytes(path, Serialize(config));

    public static RuntimeConfig Load(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            return Deserialize(fs, path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VzException(OciErrors.BadRuntimeConfig, $"{path}: not found (is this a bundle directory made by vzbuild bundle?)");
        }
    }
}
