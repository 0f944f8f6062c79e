using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur;

// What diagnostics read: snapshots for LockDiagnostics and the deadlock detector, the text of ToString (as CPython's
// repr of a lock: free or held, by whom, how many times), and the messages of refused releases.
public abstract partial class OwnedLock
{
    /// <summary>Gets how many times the owner has acquired the lock without releasing it (0 when free).</summary>
    internal int RecursionCount => _owner is null ? 0 : Volatile.Read(ref _recursion);

    /// <summary>Gets when the current owner took the lock, as a <see cref="Stopwatch"/> timestamp (0 when free).</summary>
    internal long HeldSince => _owner is null ? 0 : Volatile.Read(ref _heldSince);

    /// <summary>Gets the number of blocked acquirers (notified condition waiters included).</summary>
    internal int WaiterCount => _queue.Count;

    /// <summary>
    /// Describes the lock's state now, as CPython's <c>repr</c> does: for example
    /// <c>ExclusiveLock 'balance' (free)</c>, or
    /// <c>ReentrantLock 'account' (held by thread "worker-1" (id 12), 2 times, 1 waiting)</c>.
    /// </summary>
    /// <returns>The kind and name of the lock, whether it is held and by whom, the recursion count of a reentrant lock, and the number of blocked acquirers.</returns>
    /// <remarks>A snapshot taken without stopping other threads: the parts may come from slightly different moments.</remarks>
    public override string ToString()
    {
        var label = _name is null ? Name : $"{GetType().Name} '{_name}'";
        var owner = _owner;
        var waiting = WaiterCount;
        var waiters = waiting == 0 ? "" : $", {waiting} waiting";
        if (owner is null)
        {
            return $"{label} (free{waiters})";
        }
        var count = _reentrant ? $", {Volatile.Read(ref _recursion)} {(Volatile.Read(ref _recursion) == 1 ? "time" : "times")}" : "";
        return $"{label} (held by {owner.Describe()}{count}{waiters})";
    }

    /// <summary>Takes a snapshot of the blocked acquirers, under the gate.</summary>
    internal List<LockWaiter> SnapshotWaiters()
    {
        var result = new List<LockWaiter>();
        lock (_gate)
        {
            _queue.CopyTo(result);
        }
        return result;
    }

    /// <summary>Checks, under the gate, that <paramref name="waiter"/> is still blocked on this lock and <paramref name="owner"/> still holds it.</summary>
    internal bool ConfirmEdge(LockWaiter waiter, LockOwner owner)
    {
        lock (_gate)
        {
            return waiter.IsPending && _owner == owner;
        }
    }

    private SynchronizationLockException NotOwner(LockOwner caller)
    {
        var owner = _owner;
        var held = owner is null ? "it is not held" : $"it is held by {owner.Describe()}";
        return new SynchronizationLockException(
            $"Cannot release lock '{Name}': {caller.Describe()} does not hold it ({held}). " +
            "Only the owner may release an owned lock; to signal between threads, use a BoundedSemaphore or a ThreadEvent.");
    }
}
