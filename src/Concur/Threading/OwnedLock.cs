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
public abstract class OwnedLock
{
    /// <summary>State bit: some owner holds the lock.</summary>
    private const int Locked = 1;

    /// <summary>State bit: the waiter queue is not empty, so a release must look at it.</summary>
    private const int Waiters = 2;

    /// <summary>How many times a blocked acquire spins for a lock that is about to be released before sleeping.</summary>
    private const int SpinCount = 16;

    private static long s_created;

    private readonly bool _reentrant;
    private readonly System.Threading.Lock _gate = new();
    private readonly string? _name;
    private readonly string _creationSite;
    private int _state;
    private volatile LockOwner? _owner;
    private int _recursion;
    private LockWaiter? _head;
    private LockWaiter? _tail;
    private int _waiterCount;
    private long _heldSince;
    private int _lockOrderPolicy = -1;
    private LockOrderNode? _orderNode;

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

    /// <summary>
    /// Gets or sets lock-order checking for this lock: <see langword="null"/> (the default) follows
    /// <see cref="DeadlockDetection.LockOrderChecking"/>; <see cref="LockOrderPolicy.Off"/> leaves every pair with
    /// this lock unchecked (an opt-out that wins over the other lock's setting); <see cref="LockOrderPolicy.Warn"/>
    /// or <see cref="LockOrderPolicy.Throw"/> check the pairs with this lock even when the global setting is off
    /// (the stricter of the two locks' policies applies).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="LockOrderPolicy"/>.</exception>
    public LockOrderPolicy? LockOrderChecking
    {
        get => _lockOrderPolicy < 0 ? null : (LockOrderPolicy)_lockOrderPolicy;
        set
        {
            if (value is { } policy && !Enum.IsDefined(policy))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use null (follow the global setting), LockOrderPolicy.Off, Warn or Throw.");
            }
            Volatile.Write(ref _lockOrderPolicy, value is null ? -1 : (int)value.Value);
            if (value is not null and not LockOrderPolicy.Off)
            {
                LockOrderGraph.LockOptedIn();
            }
        }
    }

    /// <summary>Gets the per-lock policy as a number: -1 follows the global one, else a <see cref="LockOrderPolicy"/> value.</summary>
    internal int LockOrderPolicyValue => _lockOrderPolicy;

    /// <summary>Gets this lock's node in the lock-order graph, or <see langword="null"/> before it takes part in a checked pair.</summary>
    internal LockOrderNode? OrderNodeOrNull => _orderNode;

    /// <summary>Gets this lock's node in the lock-order graph, created on first use.</summary>
    internal LockOrderNode OrderNode
    {
        get
        {
            var node = _orderNode;
            if (node is null)
            {
                Interlocked.CompareExchange(ref _orderNode, LockOrderGraph.CreateNode(Name), null);
                node = _orderNode;
            }
            return node;
        }
    }

    internal long Id { get; }

    internal bool IsReentrant => _reentrant;

    internal LockOwner? Owner => _owner;

    /// <summary>Gets how many times the owner has acquired the lock without releasing it (0 when free).</summary>
    internal int RecursionCount => _owner is null ? 0 : Volatile.Read(ref _recursion);

    /// <summary>Gets when the current owner took the lock, as a <see cref="Stopwatch"/> timestamp (0 when free).</summary>
    internal long HeldSince => _owner is null ? 0 : Volatile.Read(ref _heldSince);

    /// <summary>Gets the number of blocked acquirers.</summary>
    internal int WaiterCount => Volatile.Read(ref _waiterCount);

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
        ValidateTimeout(timeout);
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
            : AcquireContendedAsync(owner, Timeout.InfiniteTimeSpan, 1, cancellationToken);
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
        ValidateTimeout(timeout);
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
            : AcquireContendedAsync(owner, timeout, 1, cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal static void ValidateTimeout(TimeSpan timeout) => Timeouts.Validate(timeout, nameof(timeout));

    internal bool IsOwnedBy(LockOwner owner) => _owner == owner;

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

    /// <summary>Releases the lock completely for a condition wait and returns the recursion count to restore.</summary>
    internal int ReleaseAll(LockOwner owner)
    {
        if (_owner != owner)
        {
            throw NotOwner(owner);
        }
        var saved = _recursion;
        _recursion = 1;
        ReleaseCore(owner);
        return saved;
    }

    /// <summary>Re-acquires after a condition wait: not cancellable, no timeout, restores the recursion count.</summary>
    internal void Reacquire(ThreadOwner owner, int recursion)
    {
        var ordered = LockOrderGraph.Active;
        if (ordered)
        {
            LockOrderGraph.CheckBeforeAcquire(this, owner);
        }
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            TookFree(owner, recursion);
        }
        else
        {
            AcquireContended(owner, Timeout.InfiniteTimeSpan, recursion, CancellationToken.None);
        }
        if (ordered)
        {
            owner.PushHeld(this);
        }
    }

    /// <summary>Re-acquires asynchronously after a condition wait.</summary>
    internal ValueTask<LockScope> ReacquireAsync(AsyncOwner owner, int recursion)
    {
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            TookFree(owner, recursion);
            return new ValueTask<LockScope>(new LockScope(this, owner));
        }
        return AcquireContendedAsync(owner, Timeout.InfiniteTimeSpan, recursion, CancellationToken.None);
    }

    /// <summary>Takes a snapshot of the blocked acquirers, under the gate.</summary>
    internal List<LockWaiter> SnapshotWaiters()
    {
        var result = new List<LockWaiter>();
        lock (_gate)
        {
            for (var w = _head; w is not null; w = w.Next)
            {
                result.Add(w);
            }
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

    /// <summary>
    /// Acquires while lock-order checking is active: checks the order before waiting (not for a re-entry, which
    /// never waits, nor for a try without waiting) and records the lock in the thread's held list.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AcquireOrdered(ThreadOwner me, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (me.HeldCount != 0 && timeout.Ticks != 0 && _owner != me)
        {
            LockOrderGraph.CheckBeforeAcquire(this, me);
        }
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            TookFree(me, 1);
            me.PushHeld(this);
            return true;
        }
        return AcquireOrderedSlow(me, timeout, cancellationToken);
    }

    /// <summary>The part of <see cref="AcquireOrdered"/> after the first CAS failed: re-entry, or a wait.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AcquireOrderedSlow(ThreadOwner me, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reentry = _owner == me;
        var taken = TryTakeFast(me) || (timeout.Ticks != 0 && AcquireContended(me, timeout, 1, cancellationToken));
        if (taken && !reentry)
        {
            me.PushHeld(this);
        }
        return taken;
    }

    /// <summary>A release by someone who does not hold the lock: forgiven after a refused condition re-acquire, else an error.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseNotOwned(LockOwner owner)
    {
        if (owner.LostInConditionWait == this && owner.LostRecursion > 0)
        {
            // The condition wait that should have re-acquired this lock was refused (deadlock victim or lock-order
            // violation), so the scopes around it have nothing to release; see Condition.Wait.
            if (--owner.LostRecursion == 0)
            {
                owner.LostInConditionWait = null;
            }
            return;
        }
        throw NotOwner(owner);
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
    /// Registers a waiter, or takes the lock if it is free. Returns <see langword="null"/> when taken. Must run
    /// under <see cref="_gate"/>: the <see cref="Waiters"/> bit is only set or cleared there.
    /// </summary>
    private LockWaiter? EnqueueOrTake(LockOwner me, int recursion, bool asynchronous, bool retry, bool timed)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & Locked) == 0)
            {
                if (Interlocked.CompareExchange(ref _state, state | Locked, state) == state)
                {
                    TookFree(me, recursion);
                    return null;
                }
                continue;
            }
            if ((state & Waiters) != 0 || Interlocked.CompareExchange(ref _state, state | Waiters, state) == state)
            {
                break;
            }
        }
        var waiter = new LockWaiter(this, me, recursion, asynchronous, wantsHandOff: retry, timed);
        if (_tail is null)
        {
            _head = _tail = waiter;
        }
        else if (retry)
        {
            // A waiter that was woken and lost the race goes back to the front, and is handed the lock directly
            // next time, so barging threads cannot starve it.
            waiter.Next = _head;
            _head!.Previous = waiter;
            _head = waiter;
        }
        else
        {
            waiter.Previous = _tail;
            _tail.Next = waiter;
            _tail = waiter;
        }
        _waiterCount++;
        return waiter;
    }

    /// <summary>Removes a waiter that gave up. Must run under <see cref="_gate"/>; the waiter must be pending.</summary>
    private void Abandon(LockWaiter waiter)
    {
        Unlink(waiter);
        waiter.MarkAbandoned();
        if (_head is null)
        {
            Interlocked.And(ref _state, ~Waiters);
        }
    }

    private void Unlink(LockWaiter waiter)
    {
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }
        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }
        waiter.Next = waiter.Previous = null;
        _waiterCount--;
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
            next = _head;
            if (next is null)
            {
                // Not a broken invariant but a race: the last waiter gave up (timeout, cancellation, deadlock
                // victim) after this release's CAS saw the Waiters bit and before it got the gate, and Abandon
                // cleared the bit. Nobody to wake: the lock is free.
                Volatile.Write(ref _state, 0);
                return;
            }
            Unlink(next);
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
                Volatile.Write(ref _state, _head is null ? Locked : Locked | Waiters);
            }
            else
            {
                next.MarkWoken();
                Volatile.Write(ref _state, _head is null ? 0 : Waiters);
            }
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
            if ((state & Locked) == 0 && _head is not null)
            {
                next = _head;
                Unlink(next);
                next.MarkWoken();
                if (_head is null)
                {
                    Interlocked.And(ref _state, ~Waiters);
                }
            }
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

    private bool AcquireContended(LockOwner me, TimeSpan timeout, int recursion, CancellationToken cancellationToken)
    {
        if (!_reentrant && _owner == me)
        {
            DeadlockDetector.OnSelfDeadlock(this, me, timeout);
        }

        // The owner is often about to release: spin briefly before going to sleep (not on one core, where the owner
        // cannot run while we spin).
        if (Environment.ProcessorCount > 1)
        {
            var spinner = default(SpinWait);
            for (var i = 0; i < SpinCount; i++)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                if (TryTakeUnlocked(me, recursion))
                {
                    return true;
                }
            }
        }

        var signal = ((ThreadOwner)me).Signal;
        var start = timeout == Timeout.InfiniteTimeSpan ? 0 : Stopwatch.GetTimestamp();
        var retry = false;
        while (true)
        {
            signal.Reset();
            LockWaiter? waiter;
            lock (_gate)
            {
                waiter = EnqueueOrTake(me, recursion, asynchronous: false, retry, timed: timeout != Timeout.InfiniteTimeSpan);
            }
            if (waiter is null)
            {
                return true;
            }

            if (DeadlockDetection.Enabled && DeadlockDetector.FindCycle(waiter, timeout) is { } report)
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
                while (waiter.IsPending)
                {
                    var remaining = Remaining(timeout, start);
                    if (remaining == TimeSpan.Zero || !signal.Wait(remaining, cancellationToken))
                    {
                        break;
                    }
                    if (waiter.IsPending)
                    {
                        // A late wake-up from an earlier wait of this thread: sleep again.
                        signal.Reset();
                    }
                }
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
        }
    }

    private async ValueTask<LockScope> AcquireContendedAsync(
        AsyncOwner owner, TimeSpan timeout, int recursion, CancellationToken cancellationToken)
    {
        var start = timeout == Timeout.InfiniteTimeSpan ? 0 : Stopwatch.GetTimestamp();
        var retry = false;
        while (true)
        {
            LockWaiter? waiter;
            lock (_gate)
            {
                waiter = EnqueueOrTake(owner, recursion, asynchronous: true, retry, timed: timeout != Timeout.InfiniteTimeSpan);
            }
            if (waiter is null)
            {
                return new LockScope(this, owner);
            }
            var cancelled = false;
            try
            {
                await waiter.Completion.WaitAsync(Remaining(timeout, start), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }

            if (!waiter.Completion.IsCompleted || cancelled)
            {
                if (GiveUp(waiter))
                {
                    return new LockScope(this, owner);
                }
                if (cancelled)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                return default;
            }
            if (waiter.IsGranted || TryTakeUnlocked(owner, recursion))
            {
                return new LockScope(this, owner);
            }
            retry = true;
        }
    }

    private static TimeSpan Remaining(TimeSpan timeout, long start)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }
        var remaining = timeout - Stopwatch.GetElapsedTime(start);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
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
