using Vz.Cli.Commands;
using Vz.Deploy.Playbook;
using Vz.Oci;
using Vz.Oci.Tar;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>vzbuild playbook on a fleet directory: no node is contacted; deploy.yaml and the role land in -o DIR.</summary>
public sealed class PlaybookCommandTests : IDisposable
{
    readonly TempDir dir = new("vz-cli-playbook-");

    public void Dispose() => dir.Dispose();

    /// <summary>An OCI archive of index.json, the manifest and a config blob: all the playbook reads of one.</summary>
    void Archive(string relative, string image)
    {
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8.ToArray();
        var manifest = OciJson.Serialize(new ImageManifest(OciJson.Describe(MediaTypes.Config, config), []));
        var manifestDesc = OciJson.Describe(MediaTypes.Manifest, manifest) with
        {
            Annotations = new Dictionary<string, string> { [Annotations.RefName] = image },
        };
        var index = OciJson.Serialize(new ImageIndex([manifestDesc]));
        Directory.CreateDirectory(Path.GetDirectoryName(dir[relative])!);
        using var fs = File.Create(dir[relative]);
        TarStreamWriter.WriteAll(
        [
            TarEntry.ForData(OciArchive.BlobPath(OciJson.Digest(config)), config, 0),
            TarEntry.ForData(OciArchive.BlobPath(manifestDesc.Digest), manifest, 0),
            TarEntry.ForData("index.json", index, 0),
        ], fs, 0);
    }

    void Fleet()
    {
        dir.Write("fleet/hosts.ini", "[web]\nn1 ansible_host=192.0.2.1 ansible_user=root\n");
        dir.Write("fleet/pods/web.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: localhost/web:1\n      ports:\n        - containerPort: 8080\n");
        dir.Write("fleet/vz.yaml", "inventory: hosts.ini\npods:\n  - name: web\n    manifest: pods/web.yaml\n    groups: [web]\n    images:\n      localhost/web:1: build/web.tar\n    health:\n      tcp: { port: 8080 }\n");
        Archive("fleet/build/web.tar", "localhost/web:1");
    }

    [Fact]
    public void ItWritesThePlaybookAndTheRoleIntoTheOutputDirectoryAndSaysHowToRunIt()
    {
        Fleet();
        var stdout = new StringWriter();

        var exit = PlaybookCommand.Run(new PlaybookCommand.PlaybookCommandOptions(dir["fleet/vz.yaml"], dir["out"]), stdout);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.True(File.Exists(dir["out/deploy.yaml"]));
        Assert.True(File.Exists(dir["out/roles/vz_pod/templates/pods/web/s0-own-root/unit.j2"]));
        var vars = File.ReadAllText(dir["out/roles/vz_pod/vars/main.yml"]);
        var archive = Vz.Deploy.Push.ImageArchive.Sha256Of(dir["fleet/build/web.tar"]);
        Assert.Contains($"          sha256: \"{archive}\"\n", vars);
        Assert.Contains($"          id: \"{OciJson.Digest("{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8)[7..]}\"\n", vars);
        Assert.True(File.Exists(dir[$"out/roles/vz_pod/files/images/web/sha256-{archive}.tar.gz"]));
        Assert.Contains($"run: cd {dir["out"]} && ansible-playbook -i ../fleet/hosts.ini deploy.yaml", stdout.ToString());
    }

    [Fact]
    public void WithoutOutputItWritesBesideTheFleetFile()
    {
        Fleet();
        PlaybookCommand.Run(new PlaybookCommand.PlaybookCommandOptions(dir["fleet/vz.yaml"], null), new StringWriter());
        Assert.True(File.Exists(dir["fleet/deploy.yaml"]));
        Assert.Contains(PlaybookGenerator.Marker, File.ReadAllText(dir["fleet/deploy.yaml"]));
    }

    [Fact]
    public void TheCommandIsListedInTheHelp()
    {
        var output = new StringWriter();
        Program.Run(["--help"], output, new StringWriter());
        Assert.Contains("playbook", output.ToString());
    }
}
