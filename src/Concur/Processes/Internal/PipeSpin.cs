using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Concur.Processes.Internal;

/// <summary>
/// A brief wait for a pipe to become readable before a blocking read: polls the pipe, spinning and yielding, for at
/// most a few microseconds, so a frame that comes right away is read without the thread going to sleep (on this kind
/// of virtual machine, a sleep and its wake-up cost more than the round trip itself). Linux only; elsewhere it does
/// nothing.
/// </summary>
internal static partial class PipeSpin
{
    /// <summary>Waits up to <paramref name="ticks"/> <see cref="Stopwatch"/> ticks for <paramref name="pipe"/> to be readable.</summary>
    /// <returns><see langword="true"/> if the pipe became readable (data or end of file) while spinning.</returns>
    public static bool Wait(PipeStream pipe, long ticks)
    {
        if (ticks <= 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }
        bool added = false;
        try
        {
            pipe.SafePipeHandle.DangerousAddRef(ref added);
            var fd = new PollFd { Fd = (int)pipe.SafePipeHandle.DangerousGetHandle(), Events = PollIn };
            long deadline = Stopwatch.GetTimestamp() + ticks;
            for (int i = 1; ; i++)
            {
                fd.Revents = 0;
                if (Poll(ref fd, 1, 0) > 0)
                {
                    return true;
                }
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    return false;
                }
                if (i % 4 == 0)
                {
                    Thread.Yield(); // On a shared or pinned CPU the writer may need this one.
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }
        }
        finally
        {
            if (added)
            {
                pipe.SafePipeHandle.DangerousRelease();
            }
        }
    }

    private const short PollIn = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(ref PollFd fds, nuint count, int timeout);
}
