using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the push command lands: it refuses to run rather than pretend.
internal static class PushCommand
{
    public static Command Create()
    {
        var cmd = new Command("push", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "push is not implemented yet"));
        return cmd;
    }
}
