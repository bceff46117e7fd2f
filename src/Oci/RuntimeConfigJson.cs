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

    /// <summary>The largest config.json vz reads (runc's default spec is 3 KB; a long env stays far below).</summary>
    public const long MaxBytes = 1 << 20;

    /// <summary>
    /// A config.json vz did not write: JSON, with every member runtime-spec 1.0.2 requires of a Linux
    /// container that runs a process (ociVersion, root.path, process.args, process.cwd, process.user)
    /// present and of its type, and no null where the model has none. VZ2024 names what is wrong.
    /// Whether the values make sense is <c>RuntimeConfigFactory.Validate</c>'s question (VZ2020).
    /// </summary>
    public static RuntimeConfig Deserialize(byte[] json, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: not JSON: {e.Message}");
        }
        using (document)
        {
            if (Missing(document.RootElement) is { Count: > 0 } missing)
                throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: not an OCI runtime config: {string.Join("; ", missing)}",
                    "make bundles with vzbuild bundle (runtime-spec 1.0.2 config.md)");
            try
            {
                return document.RootElement.Deserialize<RuntimeConfig>(ReadOptions)
                    ?? throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: empty runtime config");
            }
            catch (JsonException e)
            {
                throw new VzException(OciErrors.BadRuntimeConfig, $"{fileName}: not an OCI runtime config: {e.Path}: {Without(e.Message, typeof(RuntimeConfig).Namespace!)}");
            }
        }
    }

    /// <summary>A config.json on disk, within <see cref="MaxBytes"/>.</summary>
    public static RuntimeConfig Load(string path) =>
        Deserialize(InputFile.ReadAllBytes(path, MaxBytes, OciErrors.BadRuntimeConfig, "config.json"), path);

    public static void Save(RuntimeConfig config, string path) => File.WriteAllBytes(path, Serialize(config));

    // Reading also refuses null for members the model declares non-nullable ("process": null).
    static readonly JsonSerializerOptions ReadOptions = new(Options) { RespectNullableAnnotations = true };

    /// <summary>The required members that are absent or of another JSON type, as "root.path is missing".</summary>
    static List<string> Missing(JsonElement config)
    {
        var problems = new List<string>();
        if (config.ValueKind != JsonValueKind.Object)
            return [$"the document is {Article(config.ValueKind)}, not an object"];
        void Need(JsonElement parent, string path, string name, JsonValueKind kind, Action<JsonElement>? inside = null)
        {
            var full = path.Length == 0 ? name : $"{path}.{name}";
            if (!parent.TryGetProperty(name, out var value))
                problems.Add($"{full} is missing");
            else if (value.ValueKind != kind)
                problems.Add($"{full} is {Article(value.ValueKind)}, not {Article(kind)}");
            else
                inside?.Invoke(value);
        }
        Need(config, "", "ociVersion", JsonValueKind.String);
        Need(config, "", "root", JsonValueKind.Object, root => Need(root, "root", "path", JsonValueKind.String));
        Need(config, "", "process", JsonValueKind.Object, process =>
        {
            Need(process, "process", "args", JsonValueKind.Array);
            Need(process, "process", "cwd", JsonValueKind.String);
            Need(process, "process", "user", JsonValueKind.Object, user =>
            {
                Need(user, "process.user", "uid", JsonValueKind.Number);
                Need(user, "process.user", "gid", JsonValueKind.Number);
            });
        });
        return problems;
    }

    static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // System.Text.Json names the .NET types in its messages; the user wrote JSON.
    static string Without(string message, string typeNamespace) => message.Replace(typeNamespace + ".", "");
}
