using Vz.Deploy.Layout;

namespace Vz.Deploy.Tests.Layout;

public class ImageGcTests
{
    [Fact]
    public void OnlyTaggedImagesOfVzsRepositoriesThatNoKeptReleaseNamesGo()
    {
        var loaded = new[]
        {
            "localhost/web:1", "localhost/web:2", "localhost/web:3", "localhost/api:1",
            "localhost/podman-pause:4.3.1-0", "docker.io/library/redis:7", "localhost/mine:1", "<none>:<none>", "localhost/web:<none>",
        };
        var kept = new[] { "localhost/web:3", "localhost/web:2", "localhost/api:1" };
        var stores = new[] { "web", "api" };
        Assert.Equal(["localhost/web:1"], ImageGc.Unused(loaded, kept, stores));
        // A repository vz never pushed to this node (no store directory) is not vz's.
        Assert.Empty(ImageGc.Unused(["localhost/mine:1"], [], stores));
        // A pod removed by prune: its releases are no longer kept, so its image goes too.
        Assert.Equal(["localhost/api:1", "localhost/web:1", "localhost/web:2"], ImageGc.Unused(loaded, ["localhost/web:3"], stores));
    }

    [Fact]
    public void AKeyThatRepeatsKeepsEveryValueInOrder()
    {
        var all = KeyValues.All("kept=localhost/web:2\nstore=web\nkept=localhost/web:3\r\nnoise\n=x\nimage=a=b\n");
        Assert.Equal(["localhost/web:2", "localhost/web:3"], all["kept"]);
        Assert.Equal(["a=b"], all["image"]);
        Assert.Empty(all["removed"]);
    }

    [Fact]
    public void TheScriptsListKeptReleasesStoresAndTaggedImagesThenRemoveEachOneByNameAndTheDanglingOnes()
    {
        var (plan, layout) = Vz.Deploy.Tests.Pods.Nodes.On("debian-12", Vz.Deploy.Tests.Pods.Nodes.Manifest("issue9/pods/web.yaml"));
        var list = PodScripts.ImageList(layout, plan);
        Assert.Contains("for r in /root/.vz/pods/*/current/release /root/.vz/pods/*/previous/release; do", list);
        Assert.Contains("sed -n 's/^image=\\([^ ]*\\) .*/kept=\\1/p'", list);
        Assert.Contains("echo \"store=${d##*/}\"", list);
        Assert.Contains("images --filter dangling=false --format 'image={{.Repository}}:{{.Tag}}'", list);
        var remove = PodScripts.ImageRemove(plan, ["localhost/web:1"]);
        Assert.Contains("if /usr/bin/podman rmi localhost/web:1 >/dev/null 2>&1; then echo removed=localhost/web:1; fi", remove);
        Assert.Contains("image prune -f", remove);
        Assert.DoesNotContain("set -e", remove);
        Assert.DoesNotContain("prune -a", remove);
    }
}
