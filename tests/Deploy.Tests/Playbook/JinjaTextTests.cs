using Vz.Deploy.Playbook;

namespace Vz.Deploy.Tests.Playbook;

public class JinjaTextTests
{
    [Fact]
    public void ASlotTokenBecomesItsVariableAndFillGivesTheValueBack()
    {
        var t = JinjaText.From($"cd {Slots.Home.Token}/.vz/pods/web && ln -s releases/{Slots.Release.Token} current\n");
        Assert.Equal("cd {{ vz_home }}/.vz/pods/web && ln -s releases/{{ vz_release_id }} current\n", t);
        Assert.Equal("cd /root/.vz/pods/web && ln -s releases/0123456789abcdef current\n",
            JinjaText.Fill(t, new Dictionary<string, string> { ["vz_home"] = "/root", ["vz_release_id"] = "0123456789abcdef" }));
    }

    [Fact]
    public void PodmansGoTemplatesAndOtherJinjaSyntaxStayLiteral()
    {
        const string text = "podman pod inspect web --format '{{range .Containers}}{{.Name}} {{end}}'\n{% raw %} {# x #} {{{ }}}\n";
        var t = JinjaText.From(text);
        Assert.DoesNotContain("{%", t.Replace("'{%'", ""));
        Assert.Equal(text, JinjaText.Fill(t, new Dictionary<string, string>()));
    }

    [Fact]
    public void ATokenNoSlotNamesIsAnError() =>
        Assert.Throws<InvalidOperationException>(() => JinjaText.From("echo __vz_unknown__\n"));

    [Fact]
    public void EverySlotTokenIsMadeOfCharactersNoRendererQuotes()
    {
        foreach (var slot in Slots.All)
        {
            Assert.Matches(Slots.SafeValue, slot.Token);
            Assert.Equal(slot.Token, Sh.Quote(slot.Token));
            Assert.Equal(slot.Token, Vz.Deploy.Units.UnitWriter.Word(slot.Token));
        }
        Assert.Equal(Slots.All.Count, Slots.All.Select(s => s.Token).Distinct().Count());
    }
}
