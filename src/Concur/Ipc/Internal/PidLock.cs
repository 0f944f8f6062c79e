using Concur.Threading.Internal;

namespace Concur.Ipc.Internal;

/// <summary>
/// A lock in shared memory that survives its holder: three 32-bit words (the owner's process id, 0 when free; the
/// number of waiters; a change sequence that waiters sleep on). Taking it when it is free is one compare-and-swap,
/// releasing it one exchange (and one futex wake when someone waits). A waiter sleeps on the sequence word in slices
/// of <see cref="Slice"/> ms; after a slice in which nothing changed it checks whether the owner still runs
/// (<see cref="SharedMemoryNative.IsAlive"/>) and takes the lock over from a dead one, saying so.
/// </summary>
/// <remarks>
/// The words say which process holds the lock, not which thread: the types that use it keep the holding thread
/// themselves. The same protocol as the process queues' locks (<c>QueueRing.TryLock</c>), in one small type so that
/// the two can later share it.
/// </remarks>
internal readonly unsafe struct PidLock
{
    /// <summary>The bytes the lock takes in shared memory (three words, 4-byte aligned).</summary>
    public const int Size = 12;

    /// <summary>How long a waiter sleeps before it looks at the owner's life.</summary>
    public const int Slice = 10;

    private static readonly int s_pid = Environment.ProcessId;

    private readonly int* _words;

    /// <summary>Uses the three words at <paramref name="words"/>, which stay mapped while the lock is used.</summary>
    public PidLock(byte* words) => _words = (int*)words;

    /// <summary>Gets the process id of the holder, or 0 when the lock is free.</summary>
    public int Owner => Volatile.Read(ref _words[0]);

    /// <summary>Gets the number of threads waiting, in every process (a waiter killed while waiting stays counted: releases then wake no one for nothing but a futex call).</summary>
    public int Waiting => Volatile.Read(ref _words[1]);

    private ref int OwnerWord => ref _words[0];

    private ref int Waiters => ref _words[1];

    private ref int Sequence => ref _words[2];

    /// <summary>Takes the lock if it is free now: one compare-and-swap, no system call.</summary>
    public bool TryAcquire() => Interlocked.CompareExchange(ref OwnerWord, s_pid, 0) == 0;

    /// <summary>
    /// Takes the lock, waiting at most until <paramref name="deadline"/>. Returns <see langword="false"/> on timeout.
    /// </summary>
    /// <param name="deadline">When to give up.</param>
    /// <param name="stop">Checked at least once per slice: throws to stop waiting (cancellation, a disposed object).</param>
    /// <param name="ownerDied">Set when the lock was taken over from a holder that had died.</param>
    public bool Acquire(Deadline deadline, Action stop, out bool ownerDied)
    {
        ownerDied = false;
        if (Interlocked.CompareExchange(ref OwnerWord, s_pid, 0) == 0)
        {
            return true;
        }
        Interlocked.Increment(ref Waiters);
        try
        {
            bool stale = false;
            var spinner = default(SpinWait);
            while (true)
            {
                int seen = Volatile.Read(ref Sequence);
                if (TryTake(stale, ref ownerDied))
                {
                    return true;
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return false;
                }
                stop();
                if (!spinner.NextSpinWillYield)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                int milliseconds = deadline.IsInfinite ? Slice : Math.Min(Slice, deadline.RemainingMilliseconds);
                SharedMemoryNative.Wait(&_words[2], seen, milliseconds);
                stale = Volatile.Read(ref Sequence) == seen;
            }
        }
        finally
        {
            Interlocked.Decrement(ref Waiters);
        }
    }

    /// <summary>Releases the lock, which this process holds, and wakes the waiters of every process.</summary>
    public void Release()
    {
        Interlocked.Exchange(ref OwnerWord, 0);
        if (Volatile.Read(ref Waiters) > 0)
        {
            Interlocked.Increment(ref Sequence);
            SharedMemoryNative.WakeAll(&_words[2]);
        }
    }

    /// <summary>Takes the lock if it is free, or, when <paramref name="checkOwner"/>, if its holder no longer runs.</summary>
    private bool TryTake(bool checkOwner, ref bool ownerDied)
    {
        int owner = Volatile.Read(ref OwnerWord);
        if (owner == 0)
        {
            return Interlocked.CompareExchange(ref OwnerWord, s_pid, 0) == 0;
        }
        if (checkOwner && owner != s_pid && !SharedMemoryNative.IsAlive(owner) &&
            Interlocked.CompareExchange(ref OwnerWord, s_pid, owner) == owner)
        {
            ownerDied = true;
            return true;
        }
        return false;
    }
}
