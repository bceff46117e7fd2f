using Vz.Vzpatch;

namespace Vz.Vcdiff.Tests;

/// <summary>The VZ39xx table: unique, listed in the README, and mapped to vzpatch's exit codes.</summary>
public sealed class ErrorCodeTests
{
    [Theory]
    [InlineData("VZ3901", ExitCodes.BadDelta)]
    [InlineData("VZ3902", ExitCodes.BadDelta)]
    [InlineData("VZ3903", ExitCodes.BadDelta)]
    [InlineData("VZ3904", ExitCodes.BadDelta)]
    [InlineData("VZ3905", ExitCodes.Unsupported)]
    [InlineData("VZ3906", ExitCodes.WrongSource)]
    [InlineData("VZ3907", ExitCodes.Unsupported)]
    [InlineData("VZ3908", ExitCodes.Io)]
    public void ExitCodeIsAFunctionOfTheError(string code, int expected) =>
        Assert.Equal(expected, ExitCodes.For(VcdiffErrors.All.Single(e => e.Id == code)));

    [Fact]
    public void EveryCodeIsUniqueAndListedInTheReadmeWithItsMeaning()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Vcdiff/README.md"));
        Assert.Equal(VcdiffErrors.All.Count, VcdiffErrors.All.Select(e => e.Id).Distinct().Count());
        Assert.All(VcdiffErrors.All, e =>
        {
            Assert.Matches("^VZ39[0-9]{2}$", e.Id);
            Assert.Contains($"| {e.Id} | {e.Meaning} |", readme);
        });
    }
}
