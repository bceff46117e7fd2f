using System.Text.RegularExpressions;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Cli;

public partial class ErrorCodeTests
{
    [GeneratedRegex("\"(VZ[0-9]{4})\"")]
    private static partial Regex CodeInSource();

    [Fact]
    public void EveryErrorCodeThrownInTheSourceIsDocumentedInAReadme()
    {
        var root = RepoRoot.Path;
        var readmes = string.Join("\n", Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "README.md")).Select(File.ReadAllText));
        var codes = Directory.GetFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => CodeInSource().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.True(codes.Count > 30, $"found only {codes.Count} codes: is the source scan broken?");
        var undocumented = codes.Where(c => !readmes.Contains(c)).Order().ToList();
        Assert.True(undocumented.Count == 0, "undocumented error codes: " + string.Join(", ", undocumented));
    }
}
