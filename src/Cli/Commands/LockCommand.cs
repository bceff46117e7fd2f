using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Cli.Commands;

/// <summary>vzbuild lock release HOST [-c vz.yaml]: breaks a deploy lock a deploy left behind.</summary>
internal static class LockCommand
{
    public static VzCommand Create()
    {
        var host = new Argument<string>("host") { Description = "The node, as the fleet's inventory names it" };
        var config = DeployCommand.FleetFileOption();
        var ssh = DeployCommand.SshArgs.Create();
        var json = new Option<bool>("--json") { Description = "Print the node and the lock's holder as JSON on stdout (shape: README, JSON output)" };
        var release = new VzCommand("release", "Break a deploy lock a deploy left on a node",
            "Break a node's deploy lock left by a deploy that is gone (its link broke, or it was killed), printing whose it was. " +
            "A deploy that finds the lock held names the holder and suggests this.")
        {
            Examples = [new("vzbuild lock release web1"), new("vzbuild lock release web1 -c prod/vz.yaml --json")],
        };
        release.Arguments.Add(host);
        release.Options.Add(config);
        foreach (var o in ssh.All.Append(json))
            release.Options.Add(o);
        CommandAction.Set(release, async (parse, ct) =>
            await ReleaseAsync(parse.GetValue(config)!, parse.GetValue(host)!, ssh.Read(parse), parse.GetValue(json), Console.Out, ct));

        var cmd = new VzCommand("lock", "The deploy lock", "The deploy lock a deploy holds on each node while it works there.")
        {
            Examples = [new("vzbuild lock release web1")],
        };
        cmd.Subcommands.Add(release);
        return cmd;
    }

    internal static async Task<int> ReleaseAsync(string fleetFile, string host, SshOptions ssh, bool json, TextWriter stdout, CancellationToken ct,
        INodeConnector? connector = null)
    {
        var target = LockBreaker.Target(fleetFile, host, ssh);
        var released = await LockBreaker.ReleaseAsync(connector ?? new SshConnector(ssh), target, ct);
        stdout.WriteLine(json ? FleetJson.LockRelease(released) : released.WasHeld
            ? $"{released.Node}: broke the deploy lock of {released.Holder?.Describe() ?? "an unknown holder (empty owner file)"}"
            : $"{released.Node}: no deploy lock was held");
        return ExitCodes.Ok;
    }
}
