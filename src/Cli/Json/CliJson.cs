using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vz.Cli.Json;

/// <summary>
/// What every --json document shares (README "JSON output"): one document on stdout, camelCase
/// keys, the process's exit code as <c>exitCode</c>, sizes in bytes, times in UTC ISO 8601, null
/// where a value is unknown. The shapes are kept stable; a test compares each with the README.
/// </summary>
internal static class CliJson
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    static readonly JsonSerializerOptions OneLine = new() { WriteIndented = false };

    public static string Document(object value) => JsonSerializer.Serialize(value, Indented);

    /// <summary>One line of a JSON-lines stream (vzbuild logs --json).</summary>
    public static string Line(object value) => JsonSerializer.Serialize(value, OneLine);

    /// <summary>A library's document (push, node check) with the exit code added first, as the other commands' documents have it.</summary>
    public static string WithExitCode(string json, int exitCode)
    {
        var doc = JsonNode.Parse(json)!.AsObject();
        var result = new JsonObject { ["exitCode"] = exitCode };
        foreach (var (key, value) in doc.ToList())
        {
            doc.Remove(key);
            result[key] = value;
        }
        return result.ToJsonString(Indented);
    }

    /// <summary>UTC, ISO 8601, to the second (as ps and history print times).</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>UTC, ISO 8601, to the microsecond (journal entries).</summary>
    public static string PreciseTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    /// <summary>Where --json FILE goes for the commands whose stdout is the traced program's: a file, or stdout for "-".</summary>
    public static void Write(string destination, string json)
    {
        if (destination == "-")
            Console.Out.Write(json + "\n");
        else
            File.WriteAllText(destination, json + "\n");
    }
}
