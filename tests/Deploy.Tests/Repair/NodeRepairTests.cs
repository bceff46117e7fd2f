using Vz.Deploy.Apply;
using Vz.Deploy.Tests.Pods;

namespace Vz.Deploy.Tests.Repair;

/// <summary>The node-side half of deploy's repairs, as text (run for real in tests/Integration.Tests/FleetView).</summary>
public class NodeRepairTests
{
    [Fact]
    public void ARetaggedImageIsLoadedAgainFromTheVerifiedArchiveInTheNodesStore()
    {
        var (plan, layout) = Nodes.On("debian-12", Nodes.Manifest("issue9/pods/web.yaml"));
        var sha = new string('a', 64);
        var id = new string('b', 64);
        var script = NodeRepair.PrepareScript(layout, plan, [("localhost/web:1", sha, "sha256:" + id)], []);
        var archive = $"{layout.ImageDir("localhost/web:1")}/sha256-{sha}.tar";
        Assert.Contains($"[ \"$(sha256sum < {archive} | cut -d' ' -f1)\" = {sha} ] ||", script);
        Assert.Contains($"load -q -i {archive}", script);
        Assert.StartsWith("set -e\n", script);
        // Read again on the node: the survey came before the push, which may have loaded that very ID under the name.
        Assert.Contains($"if [ \"$(/usr/bin/podman image inspect --format '{{{{.Id}}}}' localhost/web:1 2>/dev/null)\" != {id} ]; then\n", script);
    }

    [Fact]
    public void AReleaseWhoseFilesDifferIsRemovedSoTheUploadReplacesIt()
    {
        var (plan, layout) = Nodes.On("debian-12", Nodes.Manifest("issue9/pods/web.yaml"));
        var script = NodeRepair.PrepareScript(layout, plan, [], [("web", "0123456789abcdef", [("pod.yaml", new string('1', 64)), ("unit", new string('2', 64))])]);
        var dir = layout.Release("web", "0123456789abcdef");
        Assert.Contains($"if [ -d {dir} ]; then ok=1", script);
        Assert.Contains($"[ \"$(sha256sum < {dir}/pod.yaml 2>/dev/null | cut -d' ' -f1)\" = {new string('1', 64)} ] || ok=0", script);
        Assert.Contains($"if [ \"$ok\" = 0 ]; then rm -rf {dir}; echo 'repaired: release 0123456789abcdef of web had files changed on the node: installed again'; fi", script);
        Assert.DoesNotContain("load", script);
    }
}
