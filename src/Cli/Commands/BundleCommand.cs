using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the bundle command lands: it refuses to run rather than pretend.
internal static class BundleCommand
{
    public static Command Create()
    {
        var cmd = new Command("bundle", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "bundle is not implemented yet"));
        return cmd;
    }
}
