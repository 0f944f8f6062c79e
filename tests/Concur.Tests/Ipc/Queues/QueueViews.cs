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
}
