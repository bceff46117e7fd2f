using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.NodeAdd;

/// <summary>
/// node add on a terminal (a pseudo-terminal from util-linux `script`): it asks about the new host
/// key and then for root's password, which the terminal does not echo. The answers are typed only
/// once each question is on the screen, as a person would, so an echo would show in the output.
/// </summary>
public sealed class TerminalTests
{
    [Fact]
    public async Task OnATerminalTheHostKeyQuestionIsAskedAndThePasswordIsReadWithoutEcho()
    {
        var password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Kind = NodeKind.Fresh, RootPassword = password });
        var node = fleet[0];
        using var cli = new NodeAddCli();
        var vzbuild = $"dotnet {Path.Combine(AppContext.BaseDirectory, "vzbuild.dll")} node add {node.Ip} --user deploy";
        var psi = new ProcessStartInfo("script", ["-q", "-e", "-c", vzbuild, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in cli.Environment)
            psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var screen = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[256];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
                lock (screen)
                    screen.Append(buffer, 0, n);
        });

        await WaitForAsync(screen, "(yes/no) ");
        await process.StandardInput.WriteAsync("yes\r");
        await process.StandardInput.FlushAsync();
        await WaitForAsync(screen, $"root@{node.Ip}'s password: ");
        await process.StandardInput.WriteAsync(password + "\r");
        await process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        await reading;

        var shown = screen.ToString();
        Assert.True(process.ExitCode == 0, shown);
        Assert.Contains($"{node.Ip} is not in {cli.KnownHosts}; it offers the host key ssh-ed25519 SHA256:", shown);
        Assert.Contains("Trust it and record it (hashed)? (yes/no) yes", shown);
        Assert.DoesNotContain(password, shown);
        Assert.Contains($"{node.Ip} is ready: key login as deploy, passwordless sudo, password logins off", shown);
    }

    static async Task WaitForAsync(StringBuilder screen, string text)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            bool shown;
            lock (screen)
                shown = screen.ToString().Contains(text);
            if (shown)
            {
                // A person reads the question before typing; vzbuild is then waiting at the keyboard.
                await Task.Delay(300);
                return;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1))
                lock (screen)
                    throw new TimeoutException($"'{text}' never appeared; the screen:\n{screen}");
            await Task.Delay(100);
        }
    }
}
