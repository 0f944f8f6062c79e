namespace Concur.Ipc.Internal;

/// <summary>
/// A lock in shared memory that survives its holder: a 32-bit word that holds the owner's process id (0 when free)
/// and a count of waiters beside it. The one robust lock of Concur: the process queues' sides, <c>ProcessLock</c>,
/// <c>ProcessReentrantLock</c>, the state of <c>ProcessBarrier</c>, the users of named primitives, and the lock of
/// <c>SharedValue</c>/<c>SharedArray</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Uncontended, no system call.</b> Taking is one compare-and-swap of 0 to the caller's pid; releasing is one
/// compare-and-swap back to 0, followed by a read of the waiter count: only when someone waits does the release
/// publish a change on the object's <see cref="SharedSequence"/> (an increment, and a futex wake if anyone sleeps).
/// </para>
/// <para>
/// <b>Taken over from the dead.</b> A waiter counts itself among the waiters and sleeps on the sequence for one slice
/// at a time. A waiter that has seen no change for a whole slice asks whether the owner still runs
/// (<see cref="SharedMemoryNative.IsAlive"/>: a zombie counts as dead) and, when it does not, swaps the dead pid for
/// its own: it holds the lock, and <see cref="LockAttempt.TookOver"/> tells it so. The next waiter thus goes on within
/// about one slice of a SIGKILL, and only one waiter takes over, since the swap expects the dead pid.
/// </para>
/// <para>
/// <b>Limits.</b> The word knows processes, not threads: the caller arbitrates between its own threads (a gate, or
/// by recording which of its threads holds the word). A pid reused by a new process before anyone looked makes a
/// dead owner look alive; Linux hands out pids in increasing order up to <c>pid_max</c> (4 million on 64-bit systems)
/// before it wraps, so this needs millions of processes started within one slice. Processes must share a pid
/// namespace.
/// </para>
/// </remarks>
internal sealed class RobustLockWord
{
    private readonly unsafe int* _word;
    private readonly unsafe int* _waiters;

    /// <summary>Uses the lock word at <paramref name="word"/> and the waiter count at <paramref name="waiters"/>, both in shared memory.</summary>
    public unsafe RobustLockWord(byte* word, byte* waiters)
    {
        _word = (int*)word;
        _waiters = (int*)waiters;
    }

    /// <summary>Gets the pid of the owner, or 0 when the lock is free.</summary>
    public unsafe int Owner => Volatile.Read(ref *_word);

    /// <summary>Gets how many waiters, in all processes, count themselves as waiting (a killed waiter stays counted).</summary>
    public unsafe int Waiters => Volatile.Read(ref *_waiters);

    /// <summary>Takes the lock if it is free: one compare-and-swap.</summary>
    /// <param name="pid">The caller's process id.</param>
    /// <returns>Whether the caller holds the lock now.</returns>
    public unsafe bool TryLock(int pid) => Interlocked.CompareExchange(ref *_word, pid, 0) == 0;

    /// <summary>Takes the lock if it is free, or if <paramref name="checkOwner"/> and its owner no longer runs.</summary>
    /// <param name="pid">The caller's process id.</param>
    /// <param name="checkOwner">Whether to ask if the owner still runs (a system call or two): after a slice without change.</param>
    /// <returns>What came of it.</returns>
    public unsafe LockAttempt TryLock(int pid, bool checkOwner)
    {
        int owner = Volatile.Read(ref *_word);
        if (owner == 0)
        {
            return Interlocked.CompareExchange(ref *_word, pid, 0) == 0 ? LockAttempt.Taken : LockAttempt.Busy;
        }
        if (checkOwner && owner != pid && !SharedMemoryNative.IsAlive(owner) &&
            Interlocked.CompareExchange(ref *_word, pid, owner) == owner)
        {
            return LockAttempt.TookOver;
        }
        return LockAttempt.Busy;
    }

    /// <summary>
    /// Releases the lock that <paramref name="pid"/> holds, and publishes a change on <paramref name="sequence"/> when
    /// anyone waits for it.
    /// </summary>
    /// <returns><see langword="false"/> when the word did not hold <paramref name="pid"/> (it is then left as it was).</returns>
    public unsafe bool Unlock(int pid, SharedSequence sequence)
    {
        if (Interlocked.CompareExchange(ref *_word, 0, pid) != pid)
        {
            return false;
        }
        if (Volatile.Read(ref *_waiters) > 0)
        {
            sequence.Publish();
        }
        return true;
    }

    /// <summary>
    /// Waits one slice (at most <paramref name="milliseconds"/>) for the lock to change hands, counted among its
    /// waiters. Returns whether anything changed: when nothing did for a whole slice, the next attempt should check
    /// the owner's life.
    /// </summary>
    /// <param name="sync">Whether to block the thread, or wait asynchronously.</param>
    /// <param name="sequence">The object's change sequence.</param>
    /// <param name="seen">The sequence the caller read before its last attempt.</param>
    /// <param name="milliseconds">The slice.</param>
    /// <param name="cancellationToken">Ends the wait early (the caller looks at it).</param>
    public async ValueTask<bool> WaitAsync(bool sync, SharedSequence sequence, int seen, int milliseconds, CancellationToken cancellationToken)
    {
        AddWaiter(1);
        try
        {
            if (Owner == 0)
            {
                return true;
            }
            return await sequence.WaitAsync(sync, seen, milliseconds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            AddWaiter(-1);
        }
    }

    private unsafe void AddWaiter(int delta) => Interlocked.Add(ref *_waiters, delta);
}
