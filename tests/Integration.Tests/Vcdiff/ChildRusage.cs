using System.Diagnostics;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>
/// Runs a program and reads its peak RSS from wait4(2)'s rusage: the kernel's own high-water
/// mark for that process, not a sample. The wait happens in a tiny C helper compiled once per
/// run, not here: Linux carries the RSS high-water mark of the process that forked (or vforked)
/// across exec, so a child of this 200 MB test host would report at least 200 MB; a child of a
/// 1 MB helper reports its own peak. (GNU time does the same, but is not always installed, and
/// busybox time reports ru_maxrss four times too large.)
/// </summary>
internal static class ChildRusage
{
    public sealed record Result(int ExitCode, long PeakRssKib, string StdErr, TimeSpan Elapsed);

    private const string HelperSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <fcntl.h>
        #include <unistd.h>
        #include <sys/resource.h>
        #include <sys/wait.h>

        /* rusage-run PROGRAM ARGS...: runs PROGRAM with stdout on /dev/null, then prints
           "EXIT MAXRSS_KIB" on stdout (EXIT 128+N when killed by signal N). */
        int main(int argc, char **argv) {
            if (argc < 2) return 2;
            pid_t pid = fork();
            if (pid < 0) { perror("fork"); return 2; }
            if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0) dup2(null, 1);
                execv(argv[1], argv + 1);
                perror(argv[1]);
                _exit(127);
            }
            int status;
            struct rusage ru;
            if (wait4(pid, &status, 0, &ru) != pid) { perror("wait4"); return 2; }
            int exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            printf("%d %ld\n", exit, ru.ru_maxrss);
            return 0;
        }
        """;

    private static readonly Lazy<string> Helper = new(Build);

    private static string Build()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"vz-rusage-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "rusage-run.c"), HelperSource);
        Tools.Checked("gcc", "-O2", "-o", Path.Combine(dir, "rusage-run"), Path.Combine(dir, "rusage-run.c"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        };
        return Path.Combine(dir, "rusage-run");
    }

    public static Result Run(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var r = ProcessRunner.Run(new ProcessSpec(Helper.Value, [program, .. args]) { Timeout = timeout });
        var report = r.StdOut.Trim().Split(' ');
        if (!r.Ok || report.Length != 2)
            throw new InvalidOperationException($"rusage-run {program} failed ({r.ExitCode}): {r.StdOut}{r.StdErr}");
        return new Result(int.Parse(report[0]), long.Parse(report[1]), r.StdErr, clock.Elapsed);
    }
}
