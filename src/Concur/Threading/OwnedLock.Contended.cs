using System.Diagnostics;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

// The waiter queue and the one contended wait. Blocking and asynchronous acquires (and the re-acquire at the end of
// a condition wait) run the same core, AcquireContendedCore, with a sync flag (the twin rule, see SyncOrAsync): a
// blocking caller parks on its thread's event, an async caller on its waiter's task; everything else is shared.
public abstract partial class OwnedLock
{
    /// <summary>Blocks until <paramref name="me"/> holds the lock or the timeout passes: the blocking twin of the contended path.</summary>
    private bool AcquireContended(ThreadOwner me, TimeSpan timeout, int recursion, CancellationToken cancellationToken) =>
        SyncOrAsync.RunSync(AcquireContendedCore(me, timeout, recursion, sync: true, queued: null, cancellationToken));

    /// <summary>Waits asynchronously for the lock: the asynchronous twin of the contended path.</summary>
    private async ValueTask<LockScope> AcquireContendedAsync(AsyncOwner owner, TimeSpan timeout, CancellationToken cancellationToken) =>
        await AcquireContendedCore(owner, timeout, 1, sync: false, queued: null, cancellationToken).ConfigureAwait(false)
            ? new LockScope(this, owner)
            : default;

    /// <summary>
    /// The contended acquire, blocking (<paramref name="sync"/>) or asynchronous: queue a waiter (or start from
    /// <paramref name="queued"/>, a condition waiter already on this lock's queue), wait to be woken, then take the
    /// free lock or find it handed over; a waiter that loses the race to a barging thread queues again at the front
    /// and is handed the lock next time. Returns <see langword="false"/> when the timeout passed.
    /// </summary>
    private async ValueTask<bool> AcquireContendedCore(
        LockOwner me, TimeSpan timeout, int recursion, bool sync, LockWaiter? queued, CancellationToken cancellationToken)
    {
        Debug.Assert(sync == me is ThreadOwner, "Threads block, async acquisitions await.");
        var signal = sync ? ((ThreadOwner)me).Signal : null;
        var waiter = queued;
        if (waiter is null)
        {
            if (!_reentrant && _owner == me)
            {
                WaitForGraph.OnSelfDeadlock(this, me, timeout);
            }
            // The owner is often about to release: spin briefly before sleeping (Spinning.LockRounds says why so
            // long). Only a blocked thread spins; an async acquire frees its thread instead.
            if (sync && Spinning.SpinUntil((Lock: this, Me: me, Recursion: recursion), static s => s.Lock.TryTakeUnlocked(s.Me, s.Recursion), Spinning.LockRounds))
            {
                return true;
            }
        }

        var deadline = Deadline.Start(timeout);
        var retry = false;
        while (true)
        {
            if (waiter is null)
            {
                // Reset before queueing: a wake-up can only come once the waiter is queued.
                signal?.Reset();
                lock (_gate)
                {
                    waiter = EnqueueOrTake(me, recursion, asynchronous: !sync, retry, timed: timeout != Timeout.InfiniteTimeSpan);
                }
                if (waiter is null)
                {
                    return true;
                }
            }

            if (sync && waiter.IsPending && DeadlockDetection.Enabled && WaitForGraph.FindCycle(waiter, timeout) is { } report)
            {
                if (GiveUp(waiter))
                {
                    return true;
                }
                throw new DeadlockException(report);
            }

            var cancelled = false;
            try
            {
                await WaitForWake(waiter, deadline, sync, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }

            if (waiter.IsPending || cancelled)
            {
                if (GiveUp(waiter))
                {
                    return true;
                }
                if (cancelled)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                return false;
            }
            if (waiter.IsGranted || TryTakeUnlocked(me, recursion))
            {
                return true;
            }
            retry = true;
            waiter = null;
        }
    }

    /// <summary>
    /// Waits until <paramref name="waiter"/> is woken or granted (it no longer <see cref="LockWaiter.IsWaiting"/>),
    /// <paramref name="deadline"/> passes, or the token is cancelled (then throws
    /// <see cref="OperationCanceledException"/>). Shared by lock waits and condition waits.
    /// </summary>
    internal static async ValueTask WaitForWake(
        LockWaiter waiter, Deadline deadline, bool sync, CancellationToken cancellationToken)
    {
        if (sync)
        {
            var signal = ((ThreadOwner)waiter.Owner).Signal;
            while (waiter.IsWaiting)
            {
                var remaining = deadline.Remaining;
                if (remaining == TimeSpan.Zero || !signal.Wait(remaining, cancellationToken))
                {
                    return;
                }
                if (waiter.IsWaiting)
                {
                    // A late wake-up from an earlier wait of this thread (see PassWakeOn): sleep again. The loop
                    // re-reads the state after the reset, so a real wake-up that came just before it is not lost.
                    signal.Reset();
                }
            }
            return;
        }
        var completion = waiter.Completion;
        if (completion.IsCompleted)
        {
            return;
        }
        var left = deadline.Remaining;
        if (left == TimeSpan.Zero)
        {
            return;
        }
        // SuppressThrowing: a timeout is an answer here, not an error worth an exception.
        await completion.WaitAsync(left, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!completion.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Takes the lock if its <see cref="Locked"/> bit is clear, keeping the <see cref="Waiters"/> bit: a running
    /// thread may take a free lock before a woken waiter gets to it, which avoids lock convoys.
    /// </summary>
    private bool TryTakeUnlocked(LockOwner me, int recursion)
    {
        var state = Volatile.Read(ref _state);
        while ((state & Locked) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state | Locked, state);
            if (seen == state)
            {
                TookFree(me, recursion);
                return true;
            }
            state = seen;
        }
        return false;
    }

    /// <summary>
    /// Takes the lock if it is free, else sets the <see cref="Waiters"/> bit so the owner's release will look at the
    /// queue. Returns <see langword="true"/> when taken.
    /// </summary>
    private bool TakeOrFlagWaiters(LockOwner me, int recursion)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The Waiters bit is only set under the gate.");
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & Locked) == 0)
            {
                if (Interlocked.CompareExchange(ref _state, state | Locked, state) == state)
                {
                    TookFree(me, recursion);
                    return true;
                }
                continue;
            }
            if ((state & Waiters) != 0 || Interlocked.CompareExchange(ref _state, state | Waiters, state) == state)
            {
                return false;
            }
        }
    }

    /// <summary>Registers a waiter, or takes the lock if it is free. Returns <see langword="null"/> when taken.</summary>
    private LockWaiter? EnqueueOrTake(LockOwner me, int recursion, bool asynchronous, bool retry, bool timed)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (TakeOrFlagWaiters(me, recursion))
        {
            return null;
        }
        var waiter = new LockWaiter(this, me, recursion, asynchronous, wantsHandOff: retry, timed);
        if (retry)
        {
            // A waiter that was woken and lost the race goes back to the front, and is handed the lock directly
            // next time, so barging threads cannot starve it.
            _queue.AddFirst(waiter);
        }
        else
        {
            _queue.AddLast(waiter);
        }
        AssertInvariants();
        return waiter;
    }

    /// <summary>Removes a waiter that gave up; the waiter must be pending.</summary>
    private void Abandon(LockWaiter waiter)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _queue.Remove(waiter);
        waiter.MarkAbandoned();
        if (_queue.IsEmpty)
        {
            Interlocked.And(ref _state, ~Waiters);
        }
        AssertInvariants();
    }

    /// <summary>
    /// Called by a release that found the <see cref="Waiters"/> bit set: wakes the longest waiter to compete for the
    /// lock, or hands the lock to it directly if it has lost a race before.
    /// </summary>
    private void ReleaseSlow()
    {
        LockWaiter? next;
        lock (_gate)
        {
            next = _queue.TakeFirst();
            if (next is null)
            {
                // Not a broken invariant but a race: the last waiter gave up (timeout, cancellation, deadlock
                // victim) after this release's CAS saw the Waiters bit and before it got the gate, and Abandon
                // cleared the bit. Nobody to wake: the lock is free.
                Volatile.Write(ref _state, 0);
                AssertInvariants();
                return;
            }
            // Only the owner (us) and code under the gate change the state while the Locked bit is set.
            if (next.WantsHandOff)
            {
                _recursion = next.Recursion;
                _owner = next.Owner;
                if (DeadlockDetection.TrackTimes)
                {
                    Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
                }
                next.MarkGranted();
                Volatile.Write(ref _state, _queue.IsEmpty ? Locked : Locked | Waiters);
            }
            else
            {
                next.MarkWoken();
                Volatile.Write(ref _state, _queue.IsEmpty ? 0 : Waiters);
            }
            AssertInvariants();
        }
        next.Wake();
    }

    /// <summary>
    /// A woken waiter that gives up passes its wake-up on, so a free lock is never left with only sleeping waiters.
    /// </summary>
    private void PassWakeOn()
    {
        LockWaiter? next = null;
        lock (_gate)
        {
            var state = Volatile.Read(ref _state);
            if ((state & Locked) == 0 && !_queue.IsEmpty)
            {
                next = _queue.TakeFirst()!;
                next.MarkWoken();
                if (_queue.IsEmpty)
                {
                    Interlocked.And(ref _state, ~Waiters);
                }
            }
            AssertInvariants();
        }
        next?.Wake();
    }

    /// <summary>
    /// Settles a waiter whose wait ended without a wake-up (timeout, cancellation, deadlock). Returns
    /// <see langword="true"/> if the lock was granted to it meanwhile.
    /// </summary>
    private bool GiveUp(LockWaiter waiter)
    {
        bool woken;
        lock (_gate)
        {
            if (waiter.IsGranted)
            {
                return true;
            }
            woken = !waiter.IsPending;
            if (!woken)
            {
                Abandon(waiter);
            }
        }
        if (woken)
        {
            PassWakeOn();
        }
        return false;
    }

    /// <summary>
    /// Checks, under the gate, what always holds between two changes: the <see cref="Waiters"/> bit is set whenever
    /// the queue is not empty (so no release misses a waiter), every queued waiter is pending and belongs to this
    /// lock.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var state = Volatile.Read(ref _state);
        Debug.Assert(_queue.IsEmpty || (state & Waiters) != 0, "A queued waiter is always announced by the Waiters bit.");
        for (var w = _queue.First; w is not null; w = w.Next)
        {
            Debug.Assert(w.IsPending && ReferenceEquals(w.Lock, this), "The lock's queue holds only its own pending waiters.");
        }
    }
}
