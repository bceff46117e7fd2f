using Vz.Deploy.Inventory;
using Vz.Deploy.Provision;

namespace Vz.Deploy.Tests.Provision;

public class InventoryEditTests
{
    static readonly (string, string)[] Deploy = [("ansible_user", "deploy")];

    const string Commented =
        "# production fleet\n" +
        "[web]\n" +
        "web1   ansible_host=203.0.113.10\n" +
        "; an old node\n" +
        "web2 ansible_host=203.0.113.11\n" +
        "\n" +
        "# the database is elsewhere\n" +
        "[db]\n" +
        "db1\n" +
        "\n" +
        "[web:vars]\n" +
        "ansible_python_interpreter=/usr/bin/python3\n";

    [Fact]
    public void AHostJoinsTheEndOfItsGroupAndEveryOtherLineStays()
    {
        var change = InventoryEdit.AddHost(Commented, "web", "198.51.100.7", Deploy);
        Assert.True(change.Changed);
        Assert.Equal(Commented.Replace("web2 ansible_host=203.0.113.11\n", "web2 ansible_host=203.0.113.11\n198.51.100.7 ansible_user=deploy\n"), change.Text);
        Assert.Equal("added 198.51.100.7 ansible_user=deploy to [web]", change.Summary);
        var host = AnsibleInventory.Parse(new StringReader(change.Text)).HostsOf("web").Last();
        Assert.Equal(("198.51.100.7", "deploy", "/usr/bin/python3"), (host.Name, host.Get("ansible_user"), host.Get("ansible_python_interpreter")));
    }

    [Fact]
    public void ANewGroupGoesAtTheEndAfterABlankLine()
    {
        var change = InventoryEdit.AddHost(Commented, "cache", "198.51.100.8", [("ansible_user", "deploy"), ("ansible_port", "2222")]);
        Assert.Equal(Commented + "\n[cache]\n198.51.100.8 ansible_user=deploy ansible_port=2222\n", change.Text);
    }

    [Fact]
    public void AHostAlreadyInTheGroupWithTheUserIsNoChange()
    {
        var once = InventoryEdit.AddHost(Commented, "db", "198.51.100.7", Deploy).Text;
        var twice = InventoryEdit.AddHost(once, "db", "198.51.100.7", Deploy);
        Assert.False(twice.Changed);
        Assert.Same(once, twice.Text);
        Assert.Equal("198.51.100.7 is in [db] with ansible_user=deploy already", twice.Summary);
        Assert.Contains("db1\n198.51.100.7 ansible_user=deploy\n\n[web:vars]", once);
    }

    [Fact]
    public void AHostLineWithAnotherUserGetsTheDeployUserInPlaceKeepingItsComment()
    {
        var text = "[web]\nweb1 ansible_user=root ansible_host=203.0.113.10   # the first one\nweb2\n";
        var change = InventoryEdit.AddHost(text, "web", "web1", Deploy);
        Assert.Equal("[web]\nweb1 ansible_user=deploy ansible_host=203.0.113.10 # the first one\nweb2\n", change.Text);
        Assert.Equal("set ansible_user=deploy on web1 in [web] (line 2)", change.Summary);
    }

    [Fact]
    public void AHostInAnotherGroupIsAddedToThisOneAndItsOtherLineGetsTheUserToo()
    {
        var change = InventoryEdit.AddHost("[db]\nnode1 ansible_user=root\n", "web", "node1", Deploy);
        Assert.Equal("[db]\nnode1 ansible_user=deploy\n\n[web]\nnode1 ansible_user=deploy\n", change.Text);
    }

    [Fact]
    public void AnEmptyOrMissingInventoryGetsTheGroup() =>
        Assert.Equal("[nodes]\n10.0.0.5 ansible_user=deploy\n", InventoryEdit.AddHost("", "nodes", "10.0.0.5", Deploy).Text);

    [Fact]
    public void CrlfLineEndsAndAMissingFinalNewlineAreKept()
    {
        Assert.Equal("[web]\r\nweb1\r\nweb2 ansible_user=deploy\r\n", InventoryEdit.AddHost("[web]\r\nweb1\r\n", "web", "web2", Deploy).Text);
        Assert.Equal("[web]\nweb1\nweb2 ansible_user=deploy", InventoryEdit.AddHost("[web]\nweb1", "web", "web2", Deploy).Text);
    }

    [Fact]
    public void AGroupWithOnlyChildrenGetsAHostsSection()
    {
        var change = InventoryEdit.AddHost("[prod:children]\nweb\n", "prod", "n1", Deploy);
        Assert.Equal("[prod:children]\nweb\n\n[prod]\nn1 ansible_user=deploy\n", change.Text);
    }

    [Fact]
    public void AnEmptyGroupGetsTheHostRightUnderItsHeader() =>
        Assert.Equal("[web]\nn1 ansible_user=deploy\n# next\n[db]\n", InventoryEdit.AddHost("[web]\n# next\n[db]\n", "web", "n1", Deploy).Text);

    [Theory]
    [InlineData("we b")]
    [InlineData("web:vars")]
    [InlineData("[web]")]
    public void AGroupNameThatCannotBeWrittenIsRefused(string group) =>
        Assert.Equal(ProvisionErrors.BadInventoryEdit, Assert.Throws<VzException>(() => InventoryEdit.AddHost("", group, "n1", Deploy)).Error);

    [Fact]
    public void AnIpv6HostIsWrittenBare() =>
        Assert.Equal("[nodes]\n2001:db8::5 ansible_user=deploy\n", InventoryEdit.AddHost("", "nodes", "2001:db8::5", Deploy).Text);

    [Fact]
    public void TheFileIsWrittenOnlyWhenSomethingChangedAndKeepsItsMode()
    {
        using var dir = new Vz.Tests.TempDir();
        var path = Path.Combine(dir.Path, "hosts.ini");
        File.WriteAllText(path, Commented);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var first = InventoryEdit.ApplyToFile(path, "web", "n1", Deploy);
        var written = File.GetLastWriteTimeUtc(path);
        var second = InventoryEdit.ApplyToFile(path, "web", "n1", Deploy);

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal(first.Text, File.ReadAllText(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["hosts.ini"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AnInventoryVzCannotReadIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new Vz.Tests.TempDir();
        var path = dir.Write("hosts.ini", "[web\nweb1\n");
        var e = Assert.Throws<VzException>(() => InventoryEdit.Check(path, "web", "n1", Deploy));
        Assert.Equal(Vz.Deploy.DeployErrors.BadInventory, e.Error);
        Assert.Equal("[web\nweb1\n", File.ReadAllText(path));
    }

    [Fact]
    public void AnInventoryThatCannotBeWrittenIsALocalFileError()
    {
        using var dir = new Vz.Tests.TempDir();
        var path = dir.Write("hosts.ini/inner", "");   // hosts.ini is a directory: reading it fails
        var e = Assert.Throws<VzException>(() => InventoryEdit.ApplyToFile(Path.GetDirectoryName(path)!, "web", "n1", Deploy));
        Assert.Equal(ProvisionErrors.LocalFile, e.Error);
    }
}
