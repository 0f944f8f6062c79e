using System.Diagnostics;
using System.Runtime.CompilerServices;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

// What a Condition over this lock needs. A condition's waiters live in a WaiterQueue guarded by this lock's _gate, so
// a notify can move them straight onto this lock's queue (wait morphing):
//
//   Wait:    BeginConditionWait   queue a waiter in the condition (state InCondition), release the lock completely
//   Notify:  MoveToLockQueue      condition queue ──▶ lock queue (state Pending); nobody is woken yet
//   release: ReleaseSlow          wakes the first waiter of the lock queue: a notified waiter wakes once the lock is free
//   wake-up or timeout: EndConditionWait (a waiter still InCondition moves itself onto the lock's queue, or takes the
//            free lock), then ReacquireAfterCondition waits in the lock's queue with the contended core.
//
// Without morphing a notify would wake the waiter while the notifier still holds the lock: the waiter runs, finds
// the lock held, sleeps again on the lock, and is woken a second time by the release (two wake-ups per item, and a
// convoy of threads that run only to block, which is what made a size-1 queue with 4 producers and 4 consumers crawl).
public abstract partial class OwnedLock
{
    // Condition waits whose re-acquire was refused (deadlock victims), under _gate; usually null.
    private RefusedReacquire? _refused;

    internal bool IsOwnedBy(LockOwner owner) => _owner == owner;

    /// <summary>
    /// Starts a condition wait of <paramref name="owner"/>, which must hold the lock: queues a waiter in
    /// <paramref name="condition"/> that will restore the current recursion count, then releases the lock completely.
    /// </summary>
    internal LockWaiter BeginConditionWait(WaiterQueue condition, LockOwner owner, bool sync)
    {
        if (_owner != owner)
        {
            throw NotOwner(owner);
        }
        if (sync)
        {
            // Reset before queueing: only a release after a notify (or this thread's own timeout) can wake it now.
            ((ThreadOwner)owner).Signal.Reset();
        }
        var waiter = new LockWaiter(this, owner, _recursion, asynchronous: !sync, wantsHandOff: false, timed: false, inCondition: true);
        lock (_gate)
        {
            // Queued before the lock is released, so a notify right after the release finds it.
            condition.AddLast(waiter);
        }
        _recursion = 1;
        ReleaseCore(owner);
        return waiter;
    }

    /// <summary>
    /// Moves up to <paramref name="count"/> waiters, longest waiting first, from <paramref name="condition"/> onto this
    /// lock's queue (wait morphing). The caller holds the lock, so they wake only when it is released.
    /// </summary>
    internal void MoveToLockQueue(WaiterQueue condition, int count)
    {
        Debug.Assert(IsHeld, "Notify runs with the lock held.");
        List<LockWaiter>? published = null;
        lock (_gate)
        {
            while (count > 0 && condition.TakeFirst() is { } waiter)
            {
                Debug.Assert(waiter.IsInCondition, "A waiter that left its condition is no longer in its queue.");
                waiter.MarkMovedToLock(notified: true);
                _queue.AddLast(waiter);
                count--;
                if (waiter.Owner is ThreadOwner && DeadlockDetection.Enabled)
                {
                    (published ??= []).Add(waiter);
                }
            }
            if (!_queue.IsEmpty)
            {
                // The lock is held (by the notifier), so only the Waiters bit can change here.
                Interlocked.Or(ref _state, Waiters);
            }
            AssertInvariants();
        }
        if (published is not null)
        {
            // A moved waiter's thread sleeps until the release, so it cannot publish its new wait itself; do it for it,
            // before the notifier can block, so a cycle through it is found by whoever closes the cycle. The walk
            // finds nothing here: this lock's owner, the notifier, is running.
            foreach (var waiter in published)
            {
                _ = WaitForGraph.FindCycle(waiter, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// Ends the condition part of a wait (woken, timed out or cancelled). A waiter still in
    /// <paramref name="condition"/> leaves it and queues on the lock itself, or takes the lock if it is free. Returns
    /// whether a notify got to the waiter first.
    /// </summary>
    internal bool EndConditionWait(WaiterQueue condition, LockWaiter waiter)
    {
        // Leaving InCondition happens once and only under the gate, so a waiter seen out of it stays out.
        if (!waiter.IsInCondition)
        {
            return waiter.WasNotified;
        }
        lock (_gate)
        {
            if (!waiter.IsInCondition)
            {
                return waiter.WasNotified;
            }
            condition.Remove(waiter);
            if (TakeOrFlagWaiters(waiter.Owner, waiter.Recursion))
            {
                waiter.MarkMovedToLock(notified: false);
                waiter.MarkGranted();
            }
            else
            {
                waiter.MarkMovedToLock(notified: false);
                _queue.AddLast(waiter);
            }
            AssertInvariants();
        }
        return false;
    }

    /// <summary>
    /// Waits, not cancellable and without a timeout, until the condition waiter <paramref name="waiter"/> holds the
    /// lock again with its recursion count restored. If its thread is chosen as a deadlock victim meanwhile, records
    /// the refused re-acquire (so the scopes around the wait release nothing) and throws <see cref="DeadlockException"/>.
    /// </summary>
    internal async ValueTask ReacquireAfterCondition(LockWaiter waiter, bool sync)
    {
        Debug.Assert(!waiter.IsInCondition, "EndConditionWait runs first.");
        var owner = waiter.Owner;
        if (!waiter.IsGranted)
        {
            try
            {
                await AcquireContendedCore(owner, Timeout.InfiniteTimeSpan, waiter.Recursion, sync, queued: waiter, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (DeadlockException)
            {
                RefuseReacquire(owner, waiter.Recursion);
                throw;
            }
        }
        Debug.Assert(_owner == owner && _recursion == waiter.Recursion, "The wait restores the owner and its count.");
        if (sync && LockOrderGraph.Active)
        {
            ((ThreadOwner)owner).PushHeld(this);
        }
    }

    /// <summary>Records that <paramref name="owner"/>'s next <paramref name="releases"/> releases of this lock release nothing.</summary>
    private void RefuseReacquire(LockOwner owner, int releases)
    {
        lock (_gate)
        {
            _refused = new RefusedReacquire(owner, releases) { Next = _refused };
        }
    }

    /// <summary>A release by someone who does not hold the lock: forgiven after a refused condition re-acquire, else an error.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseNotOwned(LockOwner owner)
    {
        if (Volatile.Read(ref _refused) is not null)
        {
            lock (_gate)
            {
                RefusedReacquire? previous = null;
                for (var entry = _refused; entry is not null; previous = entry, entry = entry.Next)
                {
                    if (entry.Owner != owner)
                    {
                        continue;
                    }
                    // The condition wait that should have re-acquired this lock was refused, so the scopes around it
                    // have nothing to release; see Condition.Wait.
                    if (--entry.ReleasesLeft == 0)
                    {
                        if (previous is null)
                        {
                            _refused = entry.Next;
                        }
                        else
                        {
                            previous.Next = entry.Next;
                        }
                    }
                    return;
                }
            }
        }
        throw NotOwner(owner);
    }
}
