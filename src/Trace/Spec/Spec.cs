using System.Text;
using System.Text.Json;

namespace Vz.Trace.Spec;

/// <summary>A <c>+ GLOB</c> or <c>- GLOB</c> line: include or exclude paths by glob, in file order.</summary>
public sealed record SpecRule(bool Include, string Glob, int Line);

/// <summary>
/// A spec: the files a program needs. One absolute path per line, sorted and unique;
/// <c>#</c> comments; <c>+ GLOB</c> / <c>- GLOB</c> lines a person adds to hand-tune it.
/// The first comments record the traced command as a JSON array, its working directory and
/// the file its execvp ran, so a bundle can run exactly what was traced:
/// <code>
/// # vz-command: ["perl","-MHTTP::Date","-e","print 1"]
/// # vz-cwd: /home/u/proj
/// # vz-exec: /usr/bin/perl
/// </code>
/// </summary>
public sealed record Spec
{
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Working directory the command was traced in, when known.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>
    /// The file the command's execvp ran (inside the root), when traced: a bare command name may
    /// have been found on a PATH directory the container lacks (a version manager's shim).
    /// </summary>
    public string? Executable { get; init; }
    /// <summary>Absolute paths, sorted ordinally and unique.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    public IReadOnlyList<SpecRule> Rules { get; init; } = [];
    /// <summary>Other comment lines (without the leading '#'), kept so a round trip loses nothing.</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];

    public static Spec FromPaths(IEnumerable<string> paths, IReadOnlyList<string>? command = null) =>
        new() { Command = command, Paths = SortedUnique(paths) };

    public static IReadOnlyList<string> SortedUnique(IEnumerable<string> paths) =>
        paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>Reads and writes the spec text format. Errors name the file and line.</summary>
public static class SpecFormat
{
    const string CommandKey = "vz-command:";
    const string CwdKey = "vz-cwd:";
    const string ExecKey = "vz-exec:";

    // Quotes and backslashes stay readable in the comment; control characters are still escaped.
    static readonly JsonSerializerOptions Readable = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = SpecJson.Default,
    };

    /// <summary>The largest spec file vz reads (a spec of 100,000 paths is about 8 MB).</summary>
    public const long MaxBytes = 32 << 20;
    /// <summary>The longest spec line (a path, a glob, or the traced command as JSON).</summary>
    public const int MaxLineChars = 4 << 20;

    public static Spec Parse(TextReader reader, string fileName)
    {
        var paths = new List<string>();
        var rules = new List<SpecRule>();
        var comments = new List<string>();
        IReadOnlyList<string>? command = null;
        string? cwd = null;
        string? executable = null;
        var lines = new LineReader(reader, MaxLineChars, n => Error(fileName, n, $"line longer than {MaxLineChars} characters: not a spec?"));
        while (lines.ReadLine() is { } raw)
        {
            var lineNo = lines.Number;
            var line = raw.TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
                continue;
            if (trimmed.StartsWith('#'))
            {
                var body = trimmed[1..].Trim();
                if (body.StartsWith(CommandKey, StringComparison.Ordinal))
                    command = ParseCommand(body[CommandKey.Length..].Trim(), fileName, lineNo);
                else if (body.StartsWith(CwdKey, StringComparison.Ordinal))
                    cwd = body[CwdKey.Length..].Trim();
                else if (body.StartsWith(ExecKey, StringComparison.Ordinal))
                    executable = body[ExecKey.Length..].Trim();
                else
                    comments.Add(trimmed[1..]);
                continue;
            }
            if (trimmed.Length > 1 && (trimmed[0] == '+' || trimmed[0] == '-') && char.IsWhiteSpace(trimmed[1]))
            {
                var glob = trimmed[2..].Trim();
                if (!glob.StartsWith('/'))
                    throw Error(fileName, lineNo, $"glob must be absolute: {glob}");
                rules.Add(new SpecRule(trimmed[0] == '+', glob, lineNo));
                continue;
            }
            // Paths keep inner and trailing spaces: file names may have them.
            var path = line.TrimStart();
            if (!path.StartsWith('/'))
                throw Error(fileName, lineNo, $"expected an absolute path, '+ GLOB' or '- GLOB', got: {Shorten(path)}");
            if (path.Contains('\0'))
                throw Error(fileName, lineNo, "path contains a NUL byte");
            paths.Add(path);
        }
        return new Spec
        {
            Command = command,
            WorkingDirectory = cwd,
            Executable = executable,
            Paths = Spec.SortedUnique(paths),
            Rules = rules,
            Comments = comments,
        };
    }

    public static Spec Load(string path) => Parse(new StringReader(ReadText(path)), path);

    /// <summary>The text of a spec file, within <see cref="MaxBytes"/>: a directory or a device is VZ1104, a missing file VZ1101.</summary>
    public static string ReadText(string path) =>
        InputFile.ReadAllText(path, MaxBytes, TraceErrors.SpecUnreadable, "spec", TraceErrors.SpecNotFound);

    public static void Write(Spec spec, TextWriter writer)
    {
        writer.NewLine = "\n";
        if (spec.Command is not null)
            writer.WriteLine($"# {CommandKey} {JsonSerializer.Serialize(spec.Command, Readable)}");
        if (spec.WorkingDirectory is not null)
            writer.WriteLine($"# {CwdKey} {spec.WorkingDirectory}");
        if (spec.Executable is not null)
            writer.WriteLine($"# {ExecKey} {spec.Executable}");
        foreach (var c in spec.Comments)
            writer.WriteLine($"#{c}");
        foreach (var r in spec.Rules)
            writer.WriteLine($"{(r.Include ? '+' : '-')} {r.Glob}");
        foreach (var p in spec.Paths)
            writer.WriteLine(p);
    }

    public static string ToText(Spec spec)
    {
        var sw = new StringWriter();
        Write(spec, sw);
        return sw.ToString();
    }

    /// <summary>Writes atomically (temp file, then rename) so a failed run never leaves half a spec.</summary>
    public static void Save(Spec spec, string path)
    {
        var full = Path.GetFullPath(path);
        var staging = StagingPath(full);
        try
        {
            File.WriteAllText(staging, ToText(spec), new UTF8Encoding(false));
            if (staging != full)
                File.Move(staging, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (staging != full)
                TryDelete(staging);
            var directory = Path.GetDirectoryName(full);
            var why = directory is not null && !Directory.Exists(directory) ? $"directory {directory} does not exist" : e.Message;
            throw new VzException(TraceErrors.SpecNotWritable, $"{path}: cannot write spec: {why}", "choose a writable path with -o");
        }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The file <see cref="Save"/> writes first: PATH.tmp, renamed over PATH afterwards; or PATH itself for
    /// /dev/stdout, /dev/null, /proc/self/fd/N (device nodes and pipes, which a rename would replace).
    /// </summary>
    public static string StagingPath(string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)
            ? full : full + ".tmp";
    }

    static IReadOnlyList<string> ParseCommand(string json, string fileName, int line)
    {
        try
        {
            var args = JsonSerializer.Deserialize(json, SpecJson.Default.IReadOnlyListString)
                ?? throw Error(fileName, line, "vz-command is null");
            if (args.Any(a => a is null))
                throw Error(fileName, line, "vz-command holds a null where a string belongs");
            return args;
        }
        catch (JsonException e)
        {
            throw Error(fileName, line, $"vz-command is not a JSON array of strings: {e.Message}");
        }
    }

    static VzException Error(string file, int line, string message) =>
        new(TraceErrors.MalformedSpec, $"{file}:{line}: {message}");

    static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class SpecJson : System.Text.Json.Serialization.JsonSerializerContext;
