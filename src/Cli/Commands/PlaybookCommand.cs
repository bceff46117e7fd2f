using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Playbook;
using Vz.Deploy.Ssh;

namespace Vz.Cli.Commands;

/// <summary>vzbuild playbook [-c vz.yaml] [-o DIR]: the fleet's deploy as an Ansible playbook and role.</summary>
internal static class PlaybookCommand
{
    internal sealed record PlaybookCommandOptions(string FleetFile, string? Output, bool Json = false);

    public static VzCommand Create()
    {
        var config = DeployCommand.FleetFileOption();
        var output = new Option<string?>("--output", "-o") { Description = "Directory for deploy.yaml and roles/vz_pod (default: the fleet file's directory)", HelpName = "dir" };
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON on stdout (shape: README, JSON output)" };
        var cmd = new VzCommand("playbook", "Write the fleet's deploy as an Ansible playbook and role",
            "Write the fleet file's deploy as an Ansible playbook (deploy.yaml) and role (roles/vz_pod) using stock modules only, " +
            "for fleets run from AWX, Semaphore, CI runners or your own playbooks. They leave the same files on the nodes as vzbuild " +
            "deploy, so either can follow the other. Regenerate after changing vz.yaml, a manifest or an image.")
        {
            Examples =
            [
                new("vzbuild playbook", "deploy.yaml and roles/vz_pod beside vz.yaml"),
                new("vzbuild playbook -c prod/vz.yaml -o ansible/ && ansible-playbook -i prod/hosts.ini ansible/deploy.yaml"),
            ],
        };
        cmd.Options.Add(config);
        cmd.Options.Add(output);
        cmd.Options.Add(json);
        CommandAction.Set(cmd, parse => Run(new PlaybookCommandOptions(parse.GetValue(config)!, parse.GetValue(output), parse.GetValue(json)), Console.Out));
        return cmd;
    }

    /// <summary>Reads and validates the fleet (no node is contacted), hashes its archives, writes the playbook.</summary>
    internal static int Run(PlaybookCommandOptions o, TextWriter stdout)
    {
        // Only the inventory's names and vars are read: no ssh config, no connection.
        var fleet = FleetLoader.Load(o.FleetFile, null, null, new SshOptions { ConfigFile = "/dev/null" });
        var images = fleet.File.Pods.SelectMany(p => p.Images).Select(i => i.Archive).Distinct(StringComparer.Ordinal)
            .ToDictionary(a => a, PlaybookImage.Read, StringComparer.Ordinal);
        var playbook = PlaybookGenerator.Generate(fleet, images);
        var dir = Path.GetFullPath(o.Output ?? fleet.File.Directory);
        var written = PlaybookWriter.Write(playbook, dir);
        if (o.Json)
        {
            stdout.WriteLine(FleetJson.Playbook(dir, fleet.File.Inventory, written));
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"wrote {Path.Combine(dir, "deploy.yaml")} and {Path.Combine(dir, PlaybookGenerator.Role)} ({written.Files} files; " +
            $"{written.Compressed.Count} image archive(s) compressed, {written.Kept.Count} kept)");
        var inventory = Path.GetRelativePath(dir, fleet.File.Inventory);
        stdout.WriteLine($"run: cd {dir} && ansible-playbook -i {inventory} deploy.yaml");
        return ExitCodes.Ok;
    }
}
