/* rusage-run OUTFILE PROGRAM ARGS...: runs PROGRAM (found on PATH) with stdin on /dev/null and
   stdout on OUTFILE, waits for it with wait4(2), and prints on stdout
       EXIT MAXRSS_KIB WALL_S USER_S SYS_S
   EXIT is 128+N when killed by signal N. MAXRSS is the kernel's own high-water mark: the largest
   of PROGRAM and of every child it waited for (a pipeline run by bash -c counts its largest
   stage); USER/SYS add up PROGRAM and those children. The wait happens in this tiny process, not
   in a big one: Linux carries the forking process's RSS high-water mark across exec, so a child
   of a 200 MB runtime would report at least 200 MB (see tests/Integration.Tests/Vcdiff/ChildRusage.cs). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: rusage-run OUTFILE PROGRAM ARGS...\n"); return 2; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0) { perror("open"); _exit(127); }
        dup2(in, 0);
        dup2(out, 1);
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) { perror("wait4"); return 2; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%d %ld %.3f %.3f %.3f\n", exit, ru.ru_maxrss, wall, seconds(ru.ru_utime), seconds(ru.ru_stime));
    return 0;
}
