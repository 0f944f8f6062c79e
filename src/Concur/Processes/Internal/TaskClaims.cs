using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Processes.Internal;

/// <summary>
/// Who decides whether a task sent to a worker runs there: a few words of memory the parent and one worker share,
/// where the worker claims a task before it starts it and the parent can take back a task that is still waiting in
/// the worker's pipe. Whichever compare-and-swap comes first wins, so a task the parent took back never runs in that
/// worker, and a task the worker claimed is running.
/// </summary>
/// <remarks>
/// <code>
///  slot (id % SlotCount), one 64-bit word:  id * 4 + state
///    parent, before it writes the call frame:   Offer     → id*4 + Pending
///    worker, before it runs the call:           TryStart  Pending → Started   (else, if Revoked: answer Skipped)
///    parent, to cancel or move a waiting task:  TryRevoke Pending → Revoked
/// </code>
/// The parent never offers a task whose slot holds another task the worker has not answered yet (see
/// <see cref="IsFree"/>), so a slot always speaks of one task. The memory is a memfd the worker inherits at spawn; a
/// killed worker leaves nothing behind (the memory goes with the last mapping).
/// </remarks>
internal sealed unsafe class TaskClaims : IDisposable
{
    /// <summary>The number of slots; the tasks a worker holds at once must map to distinct slots.</summary>
    public const int SlotCount = 64;

    private const long Pending = 1;
    private const long Started = 2;
    private const long Revoked = 3;
    private const long Size = SlotCount * sizeof(long);

    private readonly SharedMapping _mapping;

    private TaskClaims(SharedMapping mapping) => _mapping = mapping;

    /// <summary>Gets the descriptor the worker inherits (the parent closes it once the worker has started).</summary>
    public SafeFileHandle Memory => _mapping.Memory;

    /// <summary>Gets a value indicating whether this system can share claims with a worker (Linux on x64 or Arm64).</summary>
    public static bool IsSupported => SharedMemoryNative.IsSupported;

    /// <summary>Creates the claims of one worker, in memory the worker will inherit; null where unsupported.</summary>
    public static TaskClaims? TryCreate(string workerName) =>
        IsSupported ? new TaskClaims(SharedMapping.Create($"concur-claims-{workerName}", Size, inheritable: true)) : null;

    /// <summary>Maps the claims a parent passed as descriptor <paramref name="fd"/> (in the worker), then closes the
    /// descriptor (it was inherited without close-on-exec, and processes the task code starts must not inherit it too).</summary>
    public static TaskClaims Attach(long fd)
    {
        SharedMapping mapping = SharedMapping.Attach(new SafeFileHandle(checked((IntPtr)fd), ownsHandle: true));
        mapping.Memory.Dispose();
        return new TaskClaims(mapping);
    }

    /// <summary>Parent: whether task <paramref name="id"/> may be offered next to <paramref name="held"/> (distinct slots).</summary>
    public static bool IsFree(long id, Queue<WorkItem> held)
    {
        foreach (WorkItem other in held)
        {
            if (other.Id % SlotCount == id % SlotCount)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Parent: marks task <paramref name="id"/> as sent and waiting (before its frame is written).</summary>
    public void Offer(long id) => Volatile.Write(ref Slot(id), (id * 4) + Pending);

    /// <summary>Parent: takes task <paramref name="id"/> back if the worker has not started it.</summary>
    /// <returns>True if the worker will not run it (it answers Skipped when it reaches it); false if it started.</returns>
    public bool TryRevoke(long id) =>
        Interlocked.CompareExchange(ref Slot(id), (id * 4) + Revoked, (id * 4) + Pending) == (id * 4) + Pending;

    /// <summary>Worker: claims task <paramref name="id"/> before running it.</summary>
    /// <returns>False if the parent took the task back (do not run it; answer Skipped); true otherwise.</returns>
    public bool TryStart(long id) =>
        Interlocked.CompareExchange(ref Slot(id), (id * 4) + Started, (id * 4) + Pending) != (id * 4) + Revoked;

    /// <inheritdoc/>
    public void Dispose() => _mapping.Dispose();

    private ref long Slot(long id) => ref ((long*)_mapping.Address)[id % SlotCount];
}
