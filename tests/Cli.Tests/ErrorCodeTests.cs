using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>
/// Every library's error codes (static <see cref="ErrorCode"/> fields, e.g. <c>OciErrors.BadJson</c>)
/// across every project under src/: found by reflection, so a new table is checked without
/// touching this test. Each id is defined once, listed in its library's README table with the
/// same meaning, and used somewhere in src.
/// </summary>
public partial class ErrorCodeTests
{
    /// <summary>One defined code: the library (its src folder), the table class, the field, the value.</summary>
    public sealed record Defined(string Library, string Table, string Field, ErrorCode Code)
    {
        public override string ToString() => $"{Table}.{Field} ({Code.Id}, {Library})";
    }

    static readonly Lazy<IReadOnlyList<Defined>> All = new(Collect);

    /// <summary>The projects under src/ with their folder and assembly name (csproj AssemblyName, else the file name).</summary>
    static IEnumerable<(string Dir, string Assembly)> Libraries() =>
        Directory.GetFiles(RepoRoot.Combine("src"), "*.csproj", SearchOption.AllDirectories).Select(p =>
            (Path.GetDirectoryName(p)!,
             XDocument.Load(p).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(p)));

    static IReadOnlyList<Defined> Collect()
    {
        var found = new List<Defined>();
        foreach (var (dir, name) in Libraries())
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            foreach (var type in assembly.GetTypes())
                foreach (var f in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                             .Where(f => f.FieldType == typeof(ErrorCode)))
                    found.Add(new Defined(Path.GetRelativePath(RepoRoot.Path, dir), type.Name, f.Name, (ErrorCode)f.GetValue(null)!));
        }
        return found;
    }

    [Fact]
    public void EveryLibraryUnderSrcIsSeenAndTheTablesAreFound()
    {
        // Assembly.Load above fails for a project this test project does not reference.
        Assert.Contains(All.Value, d => d.Table == "CoreErrors");
        Assert.Contains(All.Value, d => d.Table == "OciErrors");
        Assert.Contains(All.Value, d => d.Table == "DeployErrors");
    }

    [Fact]
    public void EveryErrorCodeIdIsDefinedOnceAndWellFormed()
    {
        var malformed = All.Value.Where(d => !IdPattern().IsMatch(d.Code.Id) || d.Code.Meaning.Trim().Length == 0).ToList();
        Assert.True(malformed.Count == 0, "ids must be VZ and four digits, with a meaning: " + string.Join(", ", malformed));
        var twice = All.Value.GroupBy(d => d.Code.Id).Where(g => g.Count() > 1).Select(g => string.Join(" and ", g)).ToList();
        Assert.True(twice.Count == 0, "ids defined more than once: " + string.Join("; ", twice));
    }

    [Fact]
    public void EveryErrorCodeIsInItsLibrarysReadmeTableWithTheSameMeaning()
    {
        var problems = new List<string>();
        foreach (var d in All.Value)
        {
            var readme = Path.Combine(RepoRoot.Path, d.Library, "README.md");
            var rows = File.Exists(readme) ? TableRows(File.ReadAllText(readme)) : new Dictionary<string, string>();
            if (!rows.TryGetValue(d.Code.Id, out var meaning))
                problems.Add($"{d}: no row '| {d.Code.Id} | ... |' in {d.Library}/README.md");
            else if (Normalize(meaning) != Normalize(d.Code.Meaning))
                problems.Add($"{d}: README says '{meaning}', the code says '{d.Code.Meaning}'");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryErrorCodeIsUsedSomewhereInTheSource()
    {
        var source = string.Join("\n", SourceFiles().Select(File.ReadAllText));
        var unused = All.Value.Where(d => !Regex.IsMatch(source, $@"\b{d.Table}\.{d.Field}\b")).ToList();
        Assert.True(unused.Count == 0, "codes never used as Table.Field in src: " + string.Join(", ", unused));
    }

    /// <summary>Bare-string codes ("VZ1234" in a throw) remain while libraries move to tables; each must still be documented.</summary>
    [Fact]
    public void EveryErrorCodeThrownInTheSourceIsDocumentedInAReadme()
    {
        var root = RepoRoot.Path;
        var readmes = string.Join("\n", Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "README.md")).Select(File.ReadAllText));
        var codes = SourceFiles()
            .SelectMany(f => CodeInSource().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.True(codes.Count > 30, $"found only {codes.Count} codes: is the source scan broken?");
        var undocumented = codes.Where(c => !readmes.Contains(c)).Order().ToList();
        Assert.True(undocumented.Count == 0, "undocumented error codes: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void ReadmeTableRowsAreReadAsIdAndMeaning()
    {
        var rows = TableRows("| code | meaning |\n|---|---|\n| VZ0001 | a `child` process |\n| VZ0002 | x \\| y |\ntext | VZ0003 | no\n");
        Assert.Equal(new Dictionary<string, string> { ["VZ0001"] = "a `child` process", ["VZ0002"] = "x \\| y" }, rows);
        Assert.Equal(Normalize("a child  process"), Normalize(rows["VZ0001"]));
    }

    static IEnumerable<string> SourceFiles() =>
        Directory.GetFiles(RepoRoot.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));

    /// <summary>Markdown table rows whose first cell is a code: code -> the rest of the row.</summary>
    static Dictionary<string, string> TableRows(string markdown)
    {
        var rows = new Dictionary<string, string>();
        foreach (var line in markdown.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('|') && l.EndsWith('|')))
        {
            var inner = line[1..^1];
            var bar = inner.IndexOf('|');
            if (bar < 0)
                continue;
            var id = inner[..bar].Trim();
            if (IdPattern().IsMatch(id))
                rows[id] = inner[(bar + 1)..].Trim();
        }
        return rows;
    }

    /// <summary>Meanings compare without markdown backticks, escaped bars and extra spaces.</summary>
    static string Normalize(string s) => Regex.Replace(s.Replace("`", "").Replace("\\|", "|"), @"\s+", " ").Trim();

    [GeneratedRegex("^VZ[0-9]{4}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("\"(VZ[0-9]{4})\"")]
    private static partial Regex CodeInSource();
}
