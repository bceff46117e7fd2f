using System.Text;
using Vz.Tests;
using Vz.Trace.Spec;

namespace Vz.Trace.Tests.Spec;

public class SpecFuzzTests
{
    /// <summary>
    /// The committed specs mutated at random: each parses to a spec whose text reads back the same,
    /// or is refused with a VZ11xx error naming the file, within the time and memory bounds.
    /// </summary>
    [Fact]
    public void MutatedSpecsParseToWhatTheyWriteOrAreRefusedWithTheirCode()
    {
        var corpus = Directory.GetFiles(RepoRoot.Combine("specs"), "*.spec").Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).ToArray();
        var r = Fuzz.Run(corpus, new FuzzOptions
        {
            Seed = 8_002,
            Tokens = ["# vz-command: ", "# vz-cwd: ", "# vz-exec: ", "+ /", "- /", "/**", "[\"a\",null]", "[1]", "/usr/../etc", "\r"],
        }, bytes =>
        {
            Vz.Trace.Spec.Spec spec;
            try
            {
                spec = SpecFormat.Parse(new StringReader(Encoding.UTF8.GetString(bytes)), "f.spec");
            }
            catch (VzException e)
            {
                Assert.StartsWith("VZ11", e.Code);
                Assert.StartsWith("f.spec:", e.Message);
                throw;
            }
            Assert.All(spec.Paths, p => Assert.True(p.StartsWith('/') && !p.Contains('\0'), p));
            Assert.All(spec.Rules, g => Assert.StartsWith("/", g.Glob));
            Assert.All(spec.Command ?? [], a => Assert.NotNull(a));
            var text = SpecFormat.ToText(spec);
            Assert.Equal(text, SpecFormat.ToText(SpecFormat.Parse(new StringReader(text), "again")));
        });
        Assert.True(r.Accepted > 500 && r.Refused > 100, $"{r}");
    }
}
