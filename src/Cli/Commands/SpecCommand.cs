using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the spec command lands: it refuses to run rather than pretend.
internal static class SpecCommand
{
    public static Command Create()
    {
        var cmd = new Command("spec", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "spec is not implemented yet"));
        return cmd;
    }
}
