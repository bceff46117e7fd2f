using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Vz;

/// <summary>
/// Starts a program with posix_spawn(3), passing its arguments and environment byte for byte:
/// .NET's Process takes UTF-16 strings and re-encodes them, so an argument or variable that is
/// not UTF-8 (carried as <see cref="RawText"/>) would reach the program as U+FFFD. Used for
/// pass-through runs (the traced program: its stdin, stdout and stderr are ours).
/// Signals are reset as exec after fork would have them (.NET ignores SIGPIPE; the program must not).
/// </summary>
static unsafe class PosixSpawn
{
    const short SetSigDef = 0x04, SetSigMask = 0x08;
    const int EINTR = 4;

    /// <summary>The child's pid; VZ0001 when it cannot start.</summary>
    public static int Start(ProcessSpec spec)
    {
        var argv = new List<byte[]> { RawText.Encode(spec.FileName) };
        argv.AddRange(spec.Args.Select(RawText.Encode));
        var envp = Environment(spec.Environment);
        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336, sigset_t 128: room to spare.
        var actions = NativeMemory.AllocZeroed(1024);
        var attr = NativeMemory.AllocZeroed(1024);
        var signals = NativeMemory.AllocZeroed(1024);
        var strings = new List<IntPtr>();
        try
        {
            Check(posix_spawn_file_actions_init(actions), spec);
            Check(posix_spawnattr_init(attr), spec);
            sigfillset(signals);
            Check(posix_spawnattr_setsigdefault(attr, signals), spec);
            sigemptyset(signals);
            Check(posix_spawnattr_setsigmask(attr, signals), spec);
            Check(posix_spawnattr_setflags(attr, SetSigDef | SetSigMask), spec);
            if (spec.WorkingDirectory is { Length: > 0 } cwd)
                Check(posix_spawn_file_actions_addchdir_np(actions, (byte*)Native(RawText.Encode(cwd), strings)), spec);
            var args = Array(argv, strings);
            var env = Array(envp, strings);
            var file = (byte*)Native(RawText.Encode(spec.FileName), strings);
            int pid;
            var error = spec.FileName.Contains('/')
                ? posix_spawn(&pid, file, actions, attr, args, env)
                : posix_spawnp(&pid, file, actions, attr, args, env);
            if (error != 0)
                throw new VzException(CoreErrors.CannotStart, $"cannot run {spec.FileName}: {Marshal.GetPInvokeErrorMessage(error)}");
            return pid;
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(signals);
            foreach (var p in strings)
                NativeMemory.Free((void*)p);
        }
    }

    /// <summary>Waits for the child and gives its exit code (128 + signal when a signal ended it, as .NET reports).</summary>
    public static int Wait(int pid)
    {
        int status;
        while (waitpid(pid, &status, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
                throw new InvalidOperationException($"waitpid {pid}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /// <summary>Kills the child and everything it started (strace's tracees).</summary>
    public static void KillTree(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    /// <summary>
    /// Our environment with the spec's changes. A variable keeps the bytes it had when this
    /// process started (/proc/self/environ) unless this process changed it; .NET decoded those
    /// bytes as UTF-8 and would re-encode them otherwise.
    /// </summary>
    static List<byte[]> Environment(IReadOnlyDictionary<string, string?> changes)
    {
        var original = new Dictionary<string, (string Value, byte[] Entry)>(StringComparer.Ordinal);
        foreach (var entry in InitialEnvironment())
        {
            var eq = entry.AsSpan().IndexOf((byte)'=');
            if (eq > 0)
                original.TryAdd(Encoding.UTF8.GetString(entry, 0, eq), (Encoding.UTF8.GetString(entry, eq + 1, entry.Length - eq - 1), entry));
        }
        var result = new List<byte[]>();
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (changes.ContainsKey(key))
                continue;
            var value = (string?)e.Value ?? "";
            result.Add(original.TryGetValue(key, out var o) && o.Value == value ? o.Entry : RawText.Encode($"{key}={value}"));
        }
        foreach (var (key, value) in changes)
            if (value is not null)
                result.Add(RawText.Encode($"{key}={value}"));
        return result;
    }

    static IEnumerable<byte[]> InitialEnvironment()
    {
        byte[] all;
        try { all = File.ReadAllBytes("/proc/self/environ"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        return all.AsSpan().TrimEnd((byte)0).ToArray().Split(0);
    }

    static IEnumerable<byte[]> Split(this byte[] bytes, byte separator)
    {
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] != separator)
                continue;
            if (i > start)
                yield return bytes[start..i];
            start = i + 1;
        }
    }

    static IntPtr Native(byte[] bytes, List<IntPtr> owned)
    {
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        owned.Add((IntPtr)p);
        return (IntPtr)p;
    }

    static byte** Array(List<byte[]> items, List<IntPtr> owned)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        owned.Add((IntPtr)array);
        for (var i = 0; i < items.Count; i++)
            array[i] = (byte*)Native(items[i], owned);
        array[items.Count] = null;
        return array;
    }

    static void Check(int error, ProcessSpec spec)
    {
        if (error != 0)
            throw new VzException(CoreErrors.CannotStart, $"cannot run {spec.FileName}: posix_spawn setup: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    [DllImport("libc")] static extern int posix_spawn(int* pid, byte* path, void* actions, void* attr, byte** argv, byte** envp);
    [DllImport("libc")] static extern int posix_spawnp(int* pid, byte* file, void* actions, void* attr, byte** argv, byte** envp);
    [DllImport("libc")] static extern int posix_spawn_file_actions_init(void* actions);
    [DllImport("libc")] static extern int posix_spawn_file_actions_destroy(void* actions);
    [DllImport("libc")] static extern int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);
    [DllImport("libc")] static extern int posix_spawnattr_init(void* attr);
    [DllImport("libc")] static extern int posix_spawnattr_destroy(void* attr);
    [DllImport("libc")] static extern int posix_spawnattr_setflags(void* attr, short flags);
    [DllImport("libc")] static extern int posix_spawnattr_setsigdefault(void* attr, void* signals);
    [DllImport("libc")] static extern int posix_spawnattr_setsigmask(void* attr, void* signals);
    [DllImport("libc")] static extern int sigfillset(void* set);
    [DllImport("libc")] static extern int sigemptyset(void* set);
    [DllImport("libc", SetLastError = true)] static extern int waitpid(int pid, int* status, int options);
}
