using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Concur.Platform;

/// <summary>
/// Linux: <c>prctl(PR_SET_PDEATHSIG, SIGKILL)</c> in the worker (then <c>getppid</c> to close the race with a parent
/// that died before the call), <c>poll</c> for hang-up on the control pipe, and <c>kill(2)</c> for signals.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class LinuxProcessPlatform : IProcessPlatform
{
    private const int PR_SET_PDEATHSIG = 1;
    private const short POLLHUP = 0x10;
    private const short POLLERR = 0x8;
    private const short POLLNVAL = 0x20;
    private const int EINTR = 4;

    /// <inheritdoc/>
    public string DotnetHostFileName => "dotnet";

    /// <inheritdoc/>
    public void ThrowIfUnsupported()
    {
    }

    /// <inheritdoc/>
    public void AdoptChild(Process child)
    {
        // Nothing: the child sets its own parent-death signal and watches the control pipe.
    }

    /// <inheritdoc/>
    public bool BindLifetimeToParent(int parentPid)
    {
        // The death signal is tied to the *thread* that forked us; Concur forks every worker from one long-lived
        // thread (see ProcessSpawner), so the signal fires when the parent process exits.
        if (prctl(PR_SET_PDEATHSIG, (nuint)Signals.SIGKILL, 0, 0, 0) != 0)
        {
            return true; // Not fatal: the control-channel watch still ends the worker.
        }
        // If the parent died before prctl, we were re-parented already and no signal will come.
        return getppid() == parentPid;
    }

    /// <inheritdoc/>
    public void WatchControlChannel(string readHandle, Action onParentGone)
    {
        int readFd = int.Parse(readHandle, CultureInfo.InvariantCulture);
        var thread = new Thread(() =>
        {
            // events = 0: only POLLHUP/POLLERR are reported, so pending data is never consumed or signalled.
            var fds = new PollFd { Fd = readFd, Events = 0 };
            while (true)
            {
                int n = poll(ref fds, 1, -1);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }
                if (n < 0 || (fds.Revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
                {
                    onParentGone();
                    return;
                }
            }
        })
        {
            IsBackground = true,
            Name = "Concur control-channel watch",
        };
        thread.Start();
    }

    /// <inheritdoc/>
    public bool SendSignal(int pid, int signal) => kill(pid, signal) == 0;

    /// <inheritdoc/>
    public void ExitImmediately(int code) => _exit(code);

    /// <inheritdoc/>
    public ExitStatus DecodeExitStatus(int exitCode) =>
        // .NET reports a process killed by signal N as 128 + N.
        exitCode > 128 && exitCode < 128 + 65 ? new ExitStatus(null, exitCode - 128) : new ExitStatus(exitCode, null);

    /// <inheritdoc/>
    /// <remarks>
    /// <c>madvise(MADV_POPULATE_WRITE)</c> (Linux 5.14): a fresh 100 MiB array costs about 25,600 page faults when it is
    /// filled, 270-550 ms on a virtual machine here, against 5-20 ms for this call (docs/benchmarks.md). Only whole
    /// pages inside the buffer are touched; the call does not change their contents. Older kernels answer EINVAL and
    /// the pages fault in as usual.
    /// </remarks>
    public unsafe void Prefault(Span<byte> memory)
    {
        const int PopulateWrite = 23; // MADV_POPULATE_WRITE
        const int Page = 4096;
        fixed (byte* p = memory)
        {
            nint start = ((nint)p + Page - 1) & ~(nint)(Page - 1);
            nint end = ((nint)p + memory.Length) & ~(nint)(Page - 1);
            if (end > start)
            {
                _ = madvise(start, (nuint)(end - start), PopulateWrite);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc")]
    private static partial void _exit(int status);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint nfds, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
