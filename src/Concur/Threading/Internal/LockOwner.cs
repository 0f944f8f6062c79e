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
    /// The lock a condition wait of this owner failed to re-acquire because it was chosen as a deadlock victim; the
    /// owner's <see cref="LockScope"/> for that lock then has nothing to release.
    /// </summary>
    public OwnedLock? LostInConditionWait;

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
