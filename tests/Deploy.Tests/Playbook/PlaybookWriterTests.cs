using System.IO.Compression;
using Vz.Deploy.Playbook;
using Vz.Tests;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>The writer: the generated files in place, images gzip-compressed once, and nothing of anyone else's touched.</summary>
public sealed class PlaybookWriterTests : IDisposable
{
    readonly TempDir dir = new("vz-playbook-writer-");

    public void Dispose() => dir.Dispose();

    GeneratedPlaybook Playbook(params (string Name, byte[] Bytes)[] archives)
    {
        var images = archives.Select(a => new PlaybookImage($"localhost/{a.Name}:1", dir.Write($"src/{a.Name}.tar", a.Bytes),
            Vz.Deploy.Rollout.DesiredState.Sha256(a.Name), a.Bytes.Length, new string('2', 64))).ToList();
        return new GeneratedPlaybook(
        [
            new PlaybookFile("deploy.yaml", $"---\n# {PlaybookGenerator.Marker} from vz.yaml\n"),
            new PlaybookFile($"{PlaybookGenerator.Role}/vars/main.yml", $"---\n# {PlaybookGenerator.Marker} from vz.yaml\n"),
            new PlaybookFile($"{PlaybookGenerator.Role}/tasks/main.yml", "---\n"),
        ], images);
    }

    string Out => dir["out"];

    [Fact]
    public void TheImagesAreGzipCompressedCopiesOfTheArchives()
    {
        var bytes = new byte[300_000];
        new Random(3).NextBytes(bytes);
        var p = Playbook(("web", bytes));
        var written = PlaybookWriter.Write(p, Out);

        Assert.Equal([p.Images[0].Shipped], written.Compressed);
        using var gz = new GZipStream(File.OpenRead(Path.Combine(Out, PlaybookGenerator.Role, "files", p.Images[0].Shipped)), CompressionMode.Decompress);
        using var back = new MemoryStream();
        gz.CopyTo(back);
        Assert.Equal(bytes, back.ToArray());
        Assert.True(File.Exists(Path.Combine(Out, "deploy.yaml")));
    }

    [Fact]
    public void ASecondWriteKeepsTheCompressedImageAndRemovesWhatIsNoLongerGenerated()
    {
        PlaybookWriter.Write(Playbook(("web", [1, 2, 3]), ("old", [4, 5])), Out);
        var stale = Path.Combine(Out, PlaybookGenerator.Role, "templates", "pods", "gone", "unit.j2");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "x");
        var web = Path.Combine(Out, PlaybookGenerator.Role, "files", "images", "web");
        var before = File.GetLastWriteTimeUtc(Directory.GetFiles(web).Single());

        var again = PlaybookWriter.Write(Playbook(("web", [1, 2, 3])), Out);

        Assert.Empty(again.Compressed);
        Assert.Single(again.Kept);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Directory.GetFiles(web).Single()));
        Assert.False(File.Exists(stale));
        Assert.False(Directory.Exists(Path.GetDirectoryName(stale)));
        Assert.False(Directory.Exists(Path.Combine(Out, PlaybookGenerator.Role, "files", "images", "old")));
    }

    [Fact]
    public void ADeployYamlOrRoleOfSomeoneElsesIsNotOverwritten()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "deploy.yaml"), "- hosts: all\n");
        var e = Assert.Throws<VzException>(() => PlaybookWriter.Write(Playbook(), Out));
        Assert.Equal(PlaybookErrors.NotOurRole, e.Error);
        Assert.Equal("- hosts: all\n", File.ReadAllText(Path.Combine(Out, "deploy.yaml")));

        File.Delete(Path.Combine(Out, "deploy.yaml"));
        var mine = Path.Combine(Out, PlaybookGenerator.Role, "tasks", "main.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(mine)!);
        File.WriteAllText(mine, "- debug: msg=mine\n");
        Assert.Equal(PlaybookErrors.NotOurRole, Assert.Throws<VzException>(() => PlaybookWriter.Write(Playbook(), Out)).Error);
        Assert.Equal("- debug: msg=mine\n", File.ReadAllText(mine));
    }
}
