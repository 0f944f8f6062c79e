using Concur.Ipc.Internal;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Reaches a process queue from a child process with only numbers in hand, as the engine's tests do
/// (tests/Concur.Tests/Ipc/Queues/QueueViews.cs): the child opens the creator's memfd through
/// <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>. A stopgap until a queue captured by a <see cref="ChildProcess"/> travels by
/// itself (issue 9 point 4); then the benchmark passes the queue and this file goes.
/// </summary>
internal static class QueueHandles
{
    /// <summary>Names <paramref name="queue"/> for another process of the same user: <c>pid:fd</c>.</summary>
    public static string Name<T>(ProcessQueue<T> queue) =>
        $"{Environment.ProcessId}:{(int)queue.Ring.Memory.DangerousGetHandle()}";

    /// <summary>Opens a second view of the queue that <see cref="Name{T}"/> named, in this process.</summary>
    public static ProcessQueue<T> Open<T>(string name)
    {
        string[] parts = name.Split(':');
        string path = $"/proc/{parts[0]}/fd/{parts[1]}";
        return new ProcessQueue<T>(QueueRing.Attach(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite)));
    }
}
