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

    /// <summary>Gets a short description for reports, e.g. <c>thread "worker-1" (id 12)</c>.</summary>
    public abstract string Describe();
}

/// <summary>The owner record of one thread: one thread-static object per thread, created on first use.</summary>
internal sealed class ThreadOwner : LockOwner
{
#pragma warning disable IDE1006 // t_ for a [ThreadStatic] field (dotnet/runtime's convention); the rule cannot see the attribute.
    [ThreadStatic]
    private static ThreadOwner? t_current;
#pragma warning restore IDE1006

    private ManualResetEventSlim? _signal;
    // Entries wrap the lock in a struct: storing into a struct array needs no covariant type check.
    private HeldLock[] _held = new HeldLock[8];
    private int _heldCount;
    private int _heldEpoch;

    private ThreadOwner(Thread thread) => Thread = thread;

    /// <summary>Gets the record of the calling thread.</summary>
    public static ThreadOwner Current => t_current ?? CreateCurrent();

    /// <summary>Gets the thread this record belongs to.</summary>
    public Thread Thread { get; }

    /// <summary>
    /// Gets the event this thread blocks on while it waits for a lock or a condition (a condition waiter is woken by
    /// the release that lets it re-acquire the lock, see <see cref="LockWaiter"/>). A thread waits for one thing at a
    /// time, so one event per thread is enough.
    /// </summary>
    public ManualResetEventSlim Signal => _signal ??= new ManualResetEventSlim(false, spinCount: 20);

    /// <summary>
    /// Gets the number of entries in the held-lock list, which is kept only while lock-order checking is active
    /// (see <see cref="Concur.Threading.Deadlocks.LockOrderGraph"/>).
    /// </summary>
    public int HeldCount => _heldCount;

    /// <summary>
    /// Empties the held-lock list if lock-order checking was switched off and on again since it was last used: a
    /// lock released while checking was off stayed in the list. Forgetting entries only means fewer pairs recorded.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void SyncHeld(int epoch)
    {
        if (_heldEpoch != epoch)
        {
            Array.Clear(_held);
            _heldCount = 0;
            _heldEpoch = epoch;
        }
    }

    /// <summary>Gets the held-lock list; only the first <see cref="HeldCount"/> entries are meaningful.</summary>
    public HeldLock[] Held => _held;

    /// <summary>Appends <paramref name="lock"/> to the held-lock list. Only the owning thread calls this.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void PushHeld(OwnedLock @lock)
    {
        var held = _held;
        var count = _heldCount;
        if (count == 0)
        {
            // The list's entries date from this epoch on (see SyncHeld).
            _heldEpoch = Concur.Threading.Deadlocks.LockOrderGraph.Epoch;
        }
        if ((uint)count < (uint)held.Length)
        {
            held[count].Lock = @lock;
            _heldCount = count + 1;
            return;
        }
        PushHeldGrow(@lock);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void PushHeldGrow(OwnedLock @lock)
    {
        Array.Resize(ref _held, _held.Length * 2);
        _held[_heldCount++].Lock = @lock;
    }

    /// <summary>Removes the latest entry for <paramref name="lock"/> from the held-lock list, if there is one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void RemoveHeld(OwnedLock @lock)
    {
        var held = _held;
        var last = _heldCount - 1;
        if ((uint)last < (uint)held.Length && ReferenceEquals(held[last].Lock, @lock))
        {
            // Locks are usually released in the reverse order of acquisition.
            held[last].Lock = null;
            _heldCount = last;
            return;
        }
        RemoveHeldSlow(@lock);
    }

    private void RemoveHeldSlow(OwnedLock @lock)
    {
        var held = _held;
        for (var i = _heldCount - 1; i >= 0; i--)
        {
            if (ReferenceEquals(held[i].Lock, @lock))
            {
                RemoveHeldAt(i);
                return;
            }
        }
    }

    /// <summary>Removes entry <paramref name="index"/>, keeping the order of the others.</summary>
    public void RemoveHeldAt(int index)
    {
        var held = _held;
        var last = _heldCount - 1;
        if ((uint)index > (uint)last || last >= held.Length)
        {
            return;
        }
        if (index < last)
        {
            Array.Copy(held, index + 1, held, index, last - index);
        }
        held[last].Lock = null;
        _heldCount = last;
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

/// <summary>One entry of a thread's held-lock list (see <see cref="ThreadOwner.Held"/>).</summary>
internal struct HeldLock
{
    public OwnedLock? Lock;
}
