namespace Vz.Integration.Tests.Infra;

/// <summary>Runs OCI bundles with the real runc (crun fails on this kind of host; see ENVIRONMENT.md).</summary>
public static class Runc
{
    /// <summary>
    /// `runc run -b BUNDLE ID` in the foreground with captured output; the container is
    /// deleted afterwards whatever happened. Ids should be unique per test (e.g. a ScratchDir's Id).
    /// </summary>
    public static ProcessResult Run(string bundleDir, string id, TimeSpan? timeout = null)
    {
        var runc = Tools.Require("runc");
        try
        {
            return ProcessRunner.Run(new ProcessSpec(runc, ["run", "-b", bundleDir, id])
            {
                StdIn = [],
                Timeout = timeout ?? TimeSpan.FromSeconds(60),
            });
        }
        finally
        {
            ProcessRunner.Run(new ProcessSpec(runc, ["delete", "-f", id]));
        }
    }
}
