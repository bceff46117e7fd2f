using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// Which cgroup hierarchies a node is given (`vznode cgroup-plan NAME MOUNTS SELF`, a pure
/// function of the mount table and /proc/self/cgroup): only mounted ones, never a directory
/// that merely sits under /sys/fs/cgroup. Fed captured and made-up inputs, so no test ever
/// creates anything on the host's cgroup tmpfs.
/// </summary>
public sealed class CgroupPlanTests
{
    static readonly string Fixtures = Path.Combine(Path.GetDirectoryName(VzNode.ScriptPath)!, "fixtures");

    static async Task<string> PlanAsync(string mounts, string self)
    {
        var r = await VzNode.TryRunAsync(["cgroup-plan", "n1", mounts, self]);
        Assert.True(r.Ok, r.StdErr);
        return r.StdOut;
    }

    [Fact]
    public async Task OnTheHybridCiHostUnmountedHierarchiesAreSkippedAndTheRestLieUnderTheCallersCgroups()
    {
        var plan = await PlanAsync(Path.Combine(Fixtures, "hybrid-host.mounts"), Path.Combine(Fixtures, "hybrid-host.self"));

        Assert.Equal("""
            skip net_cls,net_prio not mounted
            skip perf_event not mounted
            skip hugetlb not mounted
            use name=systemd /sys/fs/cgroup/systemd /sys/fs/cgroup/systemd/vz-node-n1
            use pids /sys/fs/cgroup/pids /sys/fs/cgroup/pids/vz-node-n1
            use blkio /sys/fs/cgroup/blkio /sys/fs/cgroup/blkio/vz-node-n1
            use freezer /sys/fs/cgroup/freezer /sys/fs/cgroup/freezer/vz-node-n1
            use devices /sys/fs/cgroup/devices /sys/fs/cgroup/devices/vz-node-n1
            use memory /sys/fs/cgroup/memory /sys/fs/cgroup/memory/process_api/adc172e19f9b0ed5e9f665225a942576/vz-node-n1
            use cpuset /sys/fs/cgroup/cpuset /sys/fs/cgroup/cpuset/vz-node-n1
            use cpuacct /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpuacct/vz-node-n1
            use cpu /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu/vz-node-n1
            use cgroup2 /sys/fs/cgroup/unified /sys/fs/cgroup/unified/vz-node-n1

            """, plan);
    }

    [Fact]
    public async Task ReadOnlyMountsAndCgroupsOutsideAMountsRootAreSkippedWithTheReason()
    {
        using var dir = new ScratchDir("cgroup-plan");
        var mounts = dir.Write("mounts", """
            /sys/fs/cgroup/memory cgroup /process_api rw,relatime,memory
            /sys/fs/cgroup/cpu,cpuacct cgroup / ro,relatime,cpu,cpuacct
            /sys/fs/cgroup/pids cgroup /elsewhere rw,pids
            /sys/fs/cgroup/systemd cgroup / rw,relatime,xattr,name=systemd
            """);
        var self = dir.Write("self", """
            4:memory:/process_api/abc
            2:cpu,cpuacct:/
            8:pids:/user.slice
            1:name=systemd:/user.slice/session-3.scope
            """);

        var plan = await PlanAsync(mounts, self);

        Assert.Equal("""
            use memory /sys/fs/cgroup/memory /sys/fs/cgroup/memory/abc/vz-node-n1
            skip cpu,cpuacct mounted read-only at /sys/fs/cgroup/cpu,cpuacct
            skip pids our cgroup /user.slice is outside the mount's root /elsewhere
            use name=systemd /sys/fs/cgroup/systemd /sys/fs/cgroup/systemd/user.slice/session-3.scope/vz-node-n1

            """, plan);
    }

    [Fact]
    public async Task OnAHostWithCgroupV2AloneTheNodeGetsItsDirectoryAsItsWholeCgroupFs()
    {
        using var dir = new ScratchDir("cgroup-plan");
        var mounts = dir.Write("mounts", "/sys/fs/cgroup cgroup2 / rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot\n");
        var self = dir.Write("self", "0::/user.slice/user-0.slice/session-1.scope\n");

        var plan = await PlanAsync(mounts, self);

        Assert.Equal("use cgroup2 /sys/fs/cgroup /sys/fs/cgroup/user.slice/user-0.slice/session-1.scope/vz-node-n1\n", plan);
    }
}
