namespace Concur.Threading.Internal;

/// <summary>
/// Who holds an <see cref="OwnedLock"/>: a thread (for blocking acquires) or one asynchronous acquisition (for
/// <c>AcquireAsync</c>, whose continuation may run on any thread). The deadlock detector walks
/// lock → owner → the waiter that owner is blocked in → that waiter's lock → ...
/// </summary>
internal abstract class LockOwner
{
    /// <summary>
    /// The wait this owner is blocked in, published by the detector under its graph lock; <see langword="null"/>
    /// when not waiting. A waiter that was granted or gave up stays referenced until the next wait, so readers
    /// must check <see cref="LockWaiter.IsPending"/>.
    /// </summary>
    public volatile LockWaiter? CurrentWait;

    /// <summary>
    /// The lock a condition wait of this owner failed to re-acquire because it was chosen as a deadlock victim (or
    /// its re-acquire broke the lock order); the owner's scopes and releases of that lock then have nothing to
    /// release, <see cref="LostRecursion"/> times.
    /// </summary>
    public OwnedLock? LostInConditionWait;

    /// <summary>How many releases of <see cref="LostInConditionWait"/> are still to be forgiven.</summary>
    public int LostRecursion;

    /// <summary>Gets a short description for reports, e.g. <c>thread "worker-1" (id 12)</c>.</summary>
    public abstract string Describe();
}

/// <summary>The owner record of one thread: one thread-static object per thread, created on first use.</summary>
internal sealed class ThreadOwner : LockOwner
{
    [ThreadStatic]
    private static ThreadOwner? t_current;

    private ManualResetEventSlim? _signal;
    private ManualResetEventSlim? _conditionSignal;
    private OwnedLock?[] _held = new OwnedLock?[8];
    private int _heldCount;

    private ThreadOwner(Thread thread) => Thread = thread;

    /// <summary>Gets the record of the calling thread.</summary>
    public static ThreadOwner Current => t_current ?? CreateCurrent();

    /// <summary>Gets the thread this record belongs to.</summary>
    public Thread Thread { get; }

    /// <summary>
    /// Gets the event this thread blocks on while it waits for a lock or a condition. A thread waits for one
    /// thing at a time, so one event per thread is enough.
    /// </summary>
    public ManualResetEventSlim Signal => _signal ??= new ManualResetEventSlim(false, spinCount: 20);

    /// <summary>Gets the event this thread blocks on in a <see cref="Condition"/> wait, until notified.</summary>
    public ManualResetEventSlim ConditionSignal => _conditionSignal ??= new ManualResetEventSlim(false, spinCount: 20);

    /// <summary>
    /// Gets the number of entries in the held-lock list, which is kept only while lock-order checking is active
    /// (see <see cref="Concur.Threading.Deadlocks.LockOrderGraph"/>). Entries may be stale (checking was switched
    /// off and on while a lock was held): readers check that the lock is still owned by this thread.
    /// </summary>
    public int HeldCount => _heldCount;

    /// <summary>Gets the held-lock list; only the first <see cref="HeldCount"/> entries are meaningful.</summary>
    public OwnedLock?[] Held => _held;

    /// <summary>Appends <paramref name="lock"/> to the held-lock list. Only the owning thread calls this.</summary>
    public void PushHeld(OwnedLock @lock)
    {
        if (_heldCount == _held.Length)
        {
            Array.Resize(ref _held, _held.Length * 2);
        }
        _held[_heldCount++] = @lock;
    }

    /// <summary>Removes the latest entry for <paramref name="lock"/> from the held-lock list, if there is one.</summary>
    public void RemoveHeld(OwnedLock @lock)
    {
        var held = _held;
        for (var i = _heldCount - 1; i >= 0; i--)
        {
            if (ReferenceEquals(held[i], @lock))
            {
                RemoveHeldAt(i);
                return;
            }
        }
    }

    /// <summary>Removes entry <paramref name="index"/>, keeping the order of the others.</summary>
    public void RemoveHeldAt(int index)
    {
        var last = --_heldCount;
        if (index < last)
        {
            Array.Copy(_held, index + 1, _held, index, last - index);
        }
        _held[last] = null;
    }

    public override string Describe()
    {
        var name = Thread.Name;
        return name is null
            ? $"thread {Thread.ManagedThreadId} (unnamed)"
            : $"thread \"{name}\" (id {Thread.ManagedThreadId})";
    }

    private static ThreadOwner CreateCurrent() => t_current = new ThreadOwner(Thread.CurrentThread);
}

/// <summary>The owner of one asynchronous acquisition; the <see cref="LockScope"/> it returns carries it.</summary>
internal sealed class AsyncOwner : LockOwner
{
    private static long s_next;

    public long Id { get; } = Interlocked.Increment(ref s_next);

    public override string Describe() => $"async acquisition #{Id}";
}
