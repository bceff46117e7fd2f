using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vz.Tests;

/// <summary>How one reader is fuzzed: how many cases, from which seed, within which bounds.</summary>
public sealed record FuzzOptions
{
    /// <summary>The seed: a failure names it and the case, so it reproduces.</summary>
    public required int Seed { get; init; }
    public int Cases { get; init; } = 3000;
    /// <summary>Mutated inputs never grow past this.</summary>
    public int MaxInputBytes { get; init; } = 64 * 1024;
    /// <summary>What one case may allocate: a reader that sizes a buffer from the input (a declared length) fails here.</summary>
    public long MaxCaseAllocatedBytes { get; init; } = 64L << 20;
    /// <summary>How long one case may take.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long all cases may take before the run counts as hung (naming the case it was on).</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromSeconds(90);
    /// <summary>Byte strings the format gives meaning to ("[", ":", "null"), inserted and swapped in.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];
    /// <summary>
    /// A mutation that knows the format (<see cref="Fuzz.MutateJson"/>), applied to half the cases
    /// before the byte edits (and alone to half of those): byte edits rarely keep JSON well formed.
    /// </summary>
    public Func<Random, byte[], byte[]>? Structured { get; init; }
}

/// <summary>How many mutated inputs the reader accepted and how many it refused with its typed error.</summary>
public sealed record FuzzResult(int Accepted, int Refused);

/// <summary>
/// Mutation fuzzing of vz's readers (spec, strace log, config.json, image archive, inventory, ssh
/// config, known_hosts): real inputs changed at random, byte by byte and by splicing, each fed to
/// the reader, which must return (and pass the test's own checks) or throw its typed error
/// (<see cref="VzException"/>, or what the test says is typed), within a time and an allocation
/// bound. Seeded, so a failure reproduces; the failing input is saved under /tmp and named.
/// </summary>
public static class Fuzz
{
    static readonly string[] CommonTokens =
        ["\n", "\r\n", "\0", "\"", "'", "\\", "/", "..", "[", "]", "{", "}", ":", "=", ",", " ", "\t", "#", "-1", "0",
         "4294967296", "99999999999999999999", "null", "\u001b[31m", "\u00ff", "\uFFFD"];

    /// <summary>
    /// Runs <paramref name="read"/> on <see cref="FuzzOptions.Cases"/> mutations of the corpus.
    /// <paramref name="typed"/> says which exceptions are the reader's own refusals; anything else
    /// fails the run.
    /// </summary>
    public static FuzzResult Run(IReadOnlyList<byte[]> corpus, FuzzOptions options, Action<byte[]> read, Func<Exception, bool>? typed = null)
    {
        var tokens = CommonTokens.Concat(options.Tokens).Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
        IEnumerable<byte[]> Cases()
        {
            var random = new Random(options.Seed);
            for (var n = 0; n < options.Cases; n++)
            {
                if (options.Structured is { } structured && random.Next(2) == 0)
                {
                    var input = structured(random, corpus[random.Next(corpus.Count)]);
                    yield return random.Next(2) == 0 ? Mutate(random, [input], tokens, options.MaxInputBytes) : input;
                }
                else
                    yield return Mutate(random, corpus, tokens, options.MaxInputBytes);
            }
        }
        return Check(Cases(), options, read, typed);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on each input (a sweep such as <see cref="JsonSweep"/>), under the
    /// same rules as <see cref="Run"/>.
    /// </summary>
    public static FuzzResult Check(IEnumerable<byte[]> inputs, FuzzOptions options, Action<byte[]> read, Func<Exception, bool>? typed = null)
    {
        typed ??= e => e is VzException;
        int accepted = 0, refused = 0;
        var current = -1;
        byte[] input = [];
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                var n = 0;
                foreach (var next in inputs)
                {
                    input = next;
                    Volatile.Write(ref current, n);
                    var clock = Stopwatch.StartNew();
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    try
                    {
                        read(input);
                        accepted++;
                    }
                    catch (Exception e) when (typed(e))
                    {
                        refused++;
                    }
                    catch (Exception e)
                    {
                        throw Failed(options, n, input, $"{e.GetType().FullName}: {e.Message}", e);
                    }
                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated > options.MaxCaseAllocatedBytes)
                        throw Failed(options, n, input, $"allocated {allocated} bytes reading {input.Length} bytes (bound {options.MaxCaseAllocatedBytes})");
                    if (clock.Elapsed > options.CaseTimeout)
                        throw Failed(options, n, input, $"took {clock.Elapsed} (bound {options.CaseTimeout})");
                    n++;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = "fuzz" };
        worker.Start();
        if (!worker.Join(options.RunTimeout))
            throw Failed(options, Volatile.Read(ref current), input, $"hung: no result within {options.RunTimeout}");
        if (failure is not null)
            throw failure;
        return new FuzzResult(accepted, refused);
    }

    /// <summary>
    /// Every value of a JSON document in turn replaced by each of <see cref="JsonReplacements"/>, and
    /// removed: a null or a wrong type where a reader expects a value is the classic crash, and one
    /// member among a hundred is rarely hit at random.
    /// </summary>
    public static IEnumerable<byte[]> JsonSweep(byte[] json)
    {
        var count = Nodes(JsonNode.Parse(json)!).Count;
        for (var i = 1; i < count; i++)
        {
            for (var kind = -1; kind < JsonReplacements.Length; kind++)
            {
                var root = JsonNode.Parse(json)!;
                Replace(Nodes(root)[i], kind < 0 ? null : JsonReplacements[kind](), remove: kind < 0);
                yield return Encoding.UTF8.GetBytes(root.ToJsonString());
            }
        }
    }

    /// <summary>What a JSON value is replaced by: null, other types, extreme numbers, empty and deep containers, a hostile string.</summary>
    static readonly Func<JsonNode?>[] JsonReplacements =
    [
        () => null,
        () => JsonValue.Create("\u001b[31m/../../etc"),
        () => JsonValue.Create(""),
        () => JsonValue.Create(-1),
        () => JsonValue.Create(ulong.MaxValue),
        () => JsonValue.Create(true),
        () => new JsonArray(),
        () => new JsonObject(),
        () => new JsonArray(JsonValue.Create(""), null),
        () => JsonNode.Parse(new string('[', 40) + new string(']', 40)),
    ];

    static List<JsonNode> Nodes(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        void Collect(JsonNode? n)
        {
            if (n is null) return;
            nodes.Add(n);
            if (n is JsonObject o) foreach (var (_, v) in o) Collect(v);
            if (n is JsonArray a) foreach (var v in a) Collect(v);
        }
        Collect(root);
        return nodes;
    }

    static void Replace(JsonNode target, JsonNode? replacement, bool remove)
    {
        switch (target.Parent)
        {
            case JsonObject o:
                var name = target.GetPropertyName();
                if (remove) o.Remove(name);
                else o[name] = replacement;
                break;
            case JsonArray a:
                var i = target.GetElementIndex();
                if (remove) a.RemoveAt(i);
                else a[i] = replacement;
                break;
        }
    }

    /// <summary>One mutation of a corpus entry: 1 to 8 edits (bytes flipped, set, inserted, deleted, tokens, splices, repeats, cuts).</summary>
    public static byte[] Mutate(Random random, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> tokens, int maxBytes)
    {
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        var edits = random.Next(1, 9);
        for (var k = 0; k < edits; k++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(10))
            {
                case 0 when data.Count > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when data.Count > 0: data[at] = (byte)random.Next(256); break;
                case 2: data.Insert(at, (byte)random.Next(256)); break;
                case 3 when data.Count > 0: data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 16))); break;
                case 4: data.InsertRange(at, tokens[random.Next(tokens.Count)]); break;
                case 5 when data.Count > 0:
                    var token = tokens[random.Next(tokens.Count)];
                    data.RemoveRange(at, Math.Min(data.Count - at, token.Length));
                    data.InsertRange(at, token);
                    break;
                case 6:
                    // Splice: a piece of another input, so structures from one meet another's.
                    var other = corpus[random.Next(corpus.Count)];
                    if (other.Length == 0) break;
                    var from = random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(random.Next(1, 256)));
                    break;
                case 7 when data.Count > 0:
                    // Repeat a piece: long lines, deep nesting, many entries.
                    var len = Math.Min(data.Count - at, random.Next(1, 32));
                    var piece = data.GetRange(at, len);
                    for (var times = random.Next(2, 200); times > 0 && data.Count + len <= maxBytes; times--)
                        data.InsertRange(at, piece);
                    break;
                case 8 when data.Count > 0: data.RemoveRange(at, data.Count - at); break;
                default:
                    // Swap two lines' worth of bytes: reorders sections and keys.
                    if (data.Count < 4) break;
                    var a = random.Next(data.Count);
                    var b = random.Next(data.Count);
                    (data[a], data[b]) = (data[b], data[a]);
                    break;
            }
        }
        return data.Count > maxBytes ? data.GetRange(0, maxBytes).ToArray() : data.ToArray();
    }

    /// <summary>A JSON document with one to three of its values replaced (<see cref="JsonReplacements"/>) or removed.</summary>
    public static byte[] MutateJson(Random random, byte[] json)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        if (root is null)
            return json;
        for (var k = random.Next(1, 4); k > 0; k--)
        {
            var nodes = Nodes(root);
            // Object members more often than array items: a document's meaning is mostly in its keys.
            var members = nodes.Where(n => n.Parent is JsonObject).ToList();
            var pool = members.Count > 0 && random.Next(4) > 0 ? members : nodes;
            var target = pool[random.Next(pool.Count)];
            if (target.Parent is null)
                continue;
            var remove = random.Next(JsonReplacements.Length + 1) == 0;
            Replace(target, remove ? null : JsonReplacements[random.Next(JsonReplacements.Length)](), remove);
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    static Exception Failed(FuzzOptions options, int n, byte[] input, string what, Exception? inner = null)
    {
        var saved = Path.Combine(Path.GetTempPath(), $"vz-fuzz-{options.Seed}-{n}.bin");
        try { File.WriteAllBytes(saved, input); }
        catch (IOException) { saved = "(not saved)"; }
        return new InvalidOperationException($"fuzz seed {options.Seed}, case {n}: {what}; input ({input.Length} bytes) saved to {saved}", inner);
    }
}
