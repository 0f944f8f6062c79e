using System.Diagnostics;
using System.Runtime.CompilerServices;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A lock with a single owner: the common core of <see cref="ExclusiveLock"/> (Python's <c>threading.Lock</c>)
/// and <see cref="ReentrantLock"/> (Python's <c>threading.RLock</c>).
/// </summary>
/// <remarks>
/// <para>
/// Ownership is strict: only the thread that acquired the lock (or, for <see cref="AcquireAsync(CancellationToken)"/>, the returned
/// <see cref="LockScope"/>) can release it; any other release throws <see cref="SynchronizationLockException"/>.
/// CPython lets any thread release a <c>Lock</c>; code that relies on that is using a binary semaphore, which
/// <see cref="BoundedSemaphore"/> serves. Strict ownership is also what makes deadlock detection sound.
/// </para>
/// <para>
/// Blocked acquirers are woken in arrival order. As with <see cref="Monitor"/> and Python's locks, a running thread
/// may take a free lock before a woken waiter gets to it (this avoids lock convoys); a waiter that loses that race
/// once goes back to the front and is handed the lock directly next time, so no waiter starves.
/// A blocking acquire that would close a cycle of threads each waiting for a lock the next one holds throws
/// <see cref="DeadlockException"/> instead of hanging (see <see cref="DeadlockDetection"/>).
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public abstract partial class OwnedLock
{
    // How the parts fit (one concern per file):
    //
    //   OwnedLock.cs            the state word, the fast paths (one CAS to take, one to release), the public surface
    //   OwnedLock.Contended.cs  the waiter queue (a WaiterQueue under _gate) and the one contended wait, sync or async
    //   OwnedLock.Conditions.cs what a Condition needs: release for a wait, wait morphing, re-acquire, refused re-acquires
    //   OwnedLock.LockOrder.cs  the lock-order checking hooks (per-lock policy, graph node, the ordered acquire)
    //   OwnedLock.Diagnostics.cs snapshots for LockDiagnostics and the deadlock detector, ToString, messages
    //
    // _state holds two bits: Locked (some owner holds the lock) and Waiters (the queue is not empty, so a release must
    // look at it). Taking a free lock and releasing one without waiters are single CASes; the Waiters bit is set and
    // cleared only under _gate, which also guards the queue of the lock and the queues of its conditions.

    /// <summary>State bit: some owner holds the lock.</summary>
    private const int Locked = 1;

    /// <summary>State bit: the waiter queue is not empty, so a release must look at it.</summary>
    private const int Waiters = 2;

    private static long s_created;

    private readonly bool _reentrant;
    private readonly System.Threading.Lock _gate = new();
    private readonly string? _name;
    private readonly string _creationSite;
    private int _state;
    private volatile LockOwner? _owner;
    private int _recursion;
    private readonly WaiterQueue _queue = new();
    private long _heldSince;

    private protected OwnedLock(bool reentrant, string? name, string callerFile, int callerLine, string callerMember)
    {
        _reentrant = reentrant;
        _name = name;
        Id = Interlocked.Increment(ref s_created);
        _creationSite = callerFile.Length == 0
            ? "an unknown site"
            : $"{Path.GetFileName(callerFile)}:{callerLine} in {callerMember}";
        LockRegistry.Register(this);
    }

    /// <summary>
    /// Gets the lock's name for diagnostics: the one given to the constructor, else a generated one such as
    /// <c>ExclusiveLock#3 (created at Bank.cs:14 in Transfer)</c>.
    /// </summary>
    public string Name => _name ?? $"{GetType().Name}#{Id} (created at {_creationSite})";

    /// <summary>Gets a value indicating whether some thread or async acquisition holds the lock (Python's <c>locked()</c>).</summary>
    public bool IsHeld => (Volatile.Read(ref _state) & Locked) != 0;

    /// <summary>Gets a value indicating whether the calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => _owner == ThreadOwner.Current;

    internal long Id { get; }

    internal bool IsReentrant => _reentrant;

    internal LockOwner? Owner => _owner;

    /// <summary>
    /// Blocks until the calling thread holds the lock, and returns a scope that releases it when disposed.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="LockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="DeadlockException">Waiting would never end: the calling thread would close a cycle of threads each waiting for a lock the next holds, or it already holds this non-reentrant lock.</exception>
    /// <exception cref="LockOrderException">Lock-order checking is set to <see cref="LockOrderPolicy.Throw"/> and the calling thread holds a lock that was taken after this one before.</exception>
    /// <example>
    /// <code>
    /// using (accountLock.Acquire())
    /// {
    ///     balance += amount;
    /// }
    /// </code>
    /// </example>
    public LockScope Acquire(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var me = ThreadOwner.Current;
        if (LockOrderGraph.Active)
        {
            AcquireOrdered(me, Timeout.InfiniteTimeSpan, cancellationToken);
        }
        else if (!TryTakeFast(me))
        {
            AcquireContended(me, Timeout.InfiniteTimeSpan, 1, cancellationToken);
        }
        return new LockScope(this, me);
    }

    /// <summary>
    /// Blocks until the calling thread holds the lock or <paramref name="timeout"/> passes, and returns a scope that
    /// releases it when disposed.
    /// </summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="LockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="DeadlockException">Waiting would close a deadlock cycle (see <see cref="DeadlockDetection.TimedWaits"/>).</exception>
    /// <exception cref="LockOrderException">Lock-order checking is set to <see cref="LockOrderPolicy.Throw"/> and the calling thread holds a lock that was taken after this one before.</exception>
    public LockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!TryAcquire(timeout, cancellationToken))
        {
            throw new TimeoutException($"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting for lock '{Name}'.");
        }
        return new LockScope(this, ThreadOwner.Current);
    }

    /// <summary>Acquires the lock if it is free (or, for a <see cref="ReentrantLock"/>, already held by the calling thread), without waiting.</summary>
    /// <returns><see langword="true"/> if the calling thread now holds the lock; otherwise <see langword="false"/>.</returns>
    /// <remarks>Release it with <see cref="Release"/>. This never blocks, so it never reports a deadlock.</remarks>
    public bool TryAcquire()
    {
        var me = ThreadOwner.Current;
        return LockOrderGraph.Active ? AcquireOrdered(me, TimeSpan.Zero, CancellationToken.None) : TryTakeFast(me);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock (Python's <c>acquire(timeout=...)</c>).</summary>
    /// <param name="timeout">
    /// The most time to wait: <see cref="TimeSpan.Zero"/> tries once, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// </param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns><see langword="true"/> if the calling thread now holds the lock (release it with <see cref="Release"/>); <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="DeadlockException">Waiting would close a deadlock cycle (see <see cref="DeadlockDetection.TimedWaits"/>).</exception>
    /// <exception cref="LockOrderException">Lock-order checking is set to <see cref="LockOrderPolicy.Throw"/>, <paramref name="timeout"/> is not zero, and the calling thread holds a lock that was taken after this one before.</exception>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        var me = ThreadOwner.Current;
        if (LockOrderGraph.Active)
        {
            return AcquireOrdered(me, timeout, cancellationToken);
        }
        if (TryTakeFast(me))
        {
            return true;
        }
        return timeout != TimeSpan.Zero && AcquireContended(me, timeout, 1, cancellationToken);
    }

    /// <summary>
    /// Releases the lock held by the calling thread. A <see cref="ReentrantLock"/> becomes free when it has been
    /// released as many times as it was acquired.
    /// </summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    public void Release() => ReleaseCore(ThreadOwner.Current);

    /// <summary>
    /// Waits asynchronously for the lock and returns a scope that releases it when disposed. The scope, not the
    /// thread, owns the lock, so the continuation may run on any thread.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="LockScope.Dispose"/> releases the lock once.</returns>
    /// <remarks>
    /// Asynchronous acquisitions are not reentrant (each is its own owner) and take no part in deadlock detection.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> AcquireAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LockScope>(cancellationToken);
        }
        var owner = new AsyncOwner();
        return TryTakeFast(owner)
            ? new ValueTask<LockScope>(new LockScope(this, owner))
            : AcquireContendedAsync(owner, Timeout.InfiniteTimeSpan, cancellationToken);
    }

    /// <summary>
    /// Waits asynchronously up to <paramref name="timeout"/> for the lock and returns a scope that releases it when
    /// disposed.
    /// </summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="LockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public async ValueTask<LockScope> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var scope = await TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (!scope.IsAcquired)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting for lock '{Name}'.");
        }
        return scope;
    }

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> for the lock.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>
    /// A scope: if <see cref="LockScope.IsAcquired"/> is <see langword="true"/>, disposing it releases the lock;
    /// otherwise the time ran out and disposing it does nothing.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LockScope>(cancellationToken);
        }
        var owner = new AsyncOwner();
        if (TryTakeFast(owner))
        {
            return new ValueTask<LockScope>(new LockScope(this, owner));
        }
        return timeout == TimeSpan.Zero
            ? default
            : AcquireContendedAsync(owner, timeout, cancellationToken);
    }

    /// <summary>Releases once on behalf of <paramref name="owner"/> (a thread record or an async scope's owner).</summary>
    internal void ReleaseCore(LockOwner owner)
    {
        if (_owner != owner)
        {
            ReleaseNotOwned(owner);
            return;
        }
        if (_reentrant && _recursion > 1)
        {
            _recursion--;
            return;
        }
        if (LockOrderGraph.Active && owner is ThreadOwner thread)
        {
            // A synchronous scope disposed on another thread (after an await) edits its owner's list from there;
            // the list tolerates that (bounds-checked, stale entries dropped by the order check).
            thread.RemoveHeld(this);
        }
        _recursion = 0;
        _owner = null;
        if (Interlocked.CompareExchange(ref _state, 0, Locked) != Locked)
        {
            ReleaseSlow();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTakeFast(LockOwner me)
    {
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            TookFree(me, 1);
            return true;
        }
        if (_reentrant && _owner == me)
        {
            _recursion++;
            return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TookFree(LockOwner me, int recursion)
    {
        _recursion = recursion;
        _owner = me;
        if (DeadlockDetection.TrackTimes)
        {
            Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
        }
    }
}
