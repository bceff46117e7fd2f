using System.Reflection;
using Vz.Deploy.Pods;

namespace Vz.Deploy.Tests.Pods;

public class PodErrorsTests
{
    static readonly ErrorCode[] Codes = typeof(PodErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (ErrorCode)f.GetValue(null)!).ToArray();

    [Fact]
    public void EveryCodeIsUniqueAndInTheVZ4Range()
    {
        Assert.Equal(Codes.Length, Codes.Select(c => c.Id).Distinct().Count());
        Assert.All(Codes, c => Assert.Matches("^VZ4[0-9]{3}$", c.Id));
    }

    [Fact]
    public void TheReadmeListsEveryCodeWithItsMeaning()
    {
        var readme = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Fixtures.Root))!, "src", "Deploy", "README.md"));
        Assert.All(Codes, c => Assert.Contains($"| {c.Id} | {c.Meaning} |", readme));
    }
}
