using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the ldd command lands: it refuses to run rather than pretend.
internal static class LddCommand
{
    public static Command Create()
    {
        var cmd = new Command("ldd", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "ldd is not implemented yet"));
        return cmd;
    }
}
