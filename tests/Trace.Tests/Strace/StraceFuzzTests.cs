using Vz.Trace.Strace;

namespace Vz.Trace.Tests.Strace;

public class StraceFuzzTests
{
    /// <summary>
    /// Real lines from every fixture, mutated at random (seeded, so a failure reproduces):
    /// the parser and tracker may reject a line only with the typed exception.
    /// </summary>
    [Fact]
    public void MutatedLinesNeverThrowAnythingButTheTypedException()
    {
        var lines = Directory.GetFiles(StraceFixtures.Dir, "*.log")
            .SelectMany(f => File.ReadAllLines(f, System.Text.Encoding.Latin1))
            .ToArray();
        var random = new Random(20261125);
        const string Alphabet = "\"\\<>()[]{},=.?-0123456789 x/abcEN+";
        int parsed = 0, rejected = 0;
        for (var n = 0; n < 20000; n++)
        {
            var line = lines[random.Next(lines.Length)].ToCharArray().ToList();
            var edits = random.Next(1, 4);
            for (var k = 0; k < edits && line.Count > 0; k++)
            {
                var at = random.Next(line.Count);
                switch (random.Next(6))
                {
                    case 0: line.RemoveAt(at); break;
                    case 1: line.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 2: line[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    case 3: line.RemoveRange(at, line.Count - at); break;
                    case 4: line.InsertRange(at, "\"\""); break;
                    case 5: line.Insert(at, (char)random.Next(14, 256)); break; // not \n or \r: one line stays one line
                }
            }
            // A resumed line needs its unfinished half before it to be parsed at all.
            var text = "1  openat(AT_FDCWD, \"/x\", O_RDONLY <unfinished ...>\n" + new string(line.ToArray());
            try
            {
                var events = StraceParser.Parse(new StringReader(text)).ToList();
                AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/", WithStat = true, ChrootRoot = n % 2 == 0 ? "/r" : null });
                parsed++;
            }
            catch (StraceParseException e)
            {
                Assert.Matches("^VZ100[0-9]$", e.Code);
                Assert.Equal(2, e.LineNumber);
                rejected++;
            }
        }
        // Both outcomes must occur, or the mutations test nothing.
        Assert.True(parsed > 1000 && rejected > 1000, $"parsed {parsed}, rejected {rejected}");
    }
}
