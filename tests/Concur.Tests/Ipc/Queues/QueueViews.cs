using Concur.Ipc.Internal;

namespace Concur.Tests.Ipc.Queues;

/// <summary>
/// Opens a second view of a queue the way another process would, from the creator's descriptor through
/// <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>: tests of the engine use it to reach the queue from a child process with only
/// numbers in hand.
/// </summary>
internal static class QueueViews
{
    public static int[] Name(QueueRing ring) => [Environment.ProcessId, (int)ring.Memory.DangerousGetHandle()];

    public static QueueRing Open(int pid, int fd) =>
        QueueRing.Attach(File.OpenHandle($"/proc/{pid}/fd/{fd}", FileMode.Open, FileAccess.ReadWrite));

    public static ProcessQueue<T> Open<T>(int pid, int fd) => new(Open(pid, fd));

    public static ProcessQueue<T> SecondView<T>(ProcessQueue<T> queue)
    {
        int[] name = Name(queue.Ring);
        return Open<T>(name[0], name[1]);
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (a blocking call must not wait for the thread pool to grow).</summary>
    public static Task<T> OnThread<T>(Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "queue-test" };
        thread.Start();
        return done.Task;
    }
}
