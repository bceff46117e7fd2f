using System.Text;
using Vz.Tests;
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

    /// <summary>
    /// Whole logs mutated byte by byte (line breaks, NULs, splices of other logs, repeated pieces):
    /// parsed and tracked, or refused with the typed exception, within the time and memory bounds.
    /// </summary>
    [Fact]
    public void MutatedLogsGiveEventsOrTheTypedErrorWithinBounds()
    {
        var corpus = Directory.GetFiles(StraceFixtures.Dir, "*.log").Order(StringComparer.Ordinal)
            // Long logs are cut to their first lines: mutations anywhere in a short input reach more code.
            .Select(f => File.ReadAllBytes(f).Take(12 * 1024).ToArray()).ToArray();
        var r = Fuzz.Run(corpus, new FuzzOptions
        {
            Seed = 8_001,
            Cases = 3000,
            Tokens = ["<unfinished ...>", "<... openat resumed>", " = -1 ENOENT (No such file or directory)", "+++ exited with 0 +++",
                      "--- SIGCHLD {si_signo=SIGCHLD} ---", "[pid 77] ", "O_CREAT|O_EXCL", "AT_FDCWD", "</tmp>", "\\x", "\\377", "chroot(", "clone("],
        }, bytes =>
        {
            var events = StraceParser.Parse(new StringReader(Encoding.Latin1.GetString(bytes))).ToList();
            var result = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/w", WithStat = true, ChrootRoot = bytes.Length % 2 == 0 ? "/r" : null });
            Assert.All(result.Paths, p => Assert.StartsWith("/", p));
        });
        Assert.True(r.Accepted > 300 && r.Refused > 300, $"{r}");
    }
}
