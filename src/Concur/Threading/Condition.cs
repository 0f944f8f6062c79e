using System.Diagnostics;
using System.Runtime.CompilerServices;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A condition variable: Python's <c>threading.Condition</c>. Threads wait, holding its lock, until another thread
/// changes the shared state and notifies them.
/// </summary>
/// <remarks>
/// <para>
/// The semantics are Mesa-style, as in Python: a notified waiter re-acquires the lock before it returns, and other
/// threads may run in between, so check the state again after waking (or use <see cref="WaitFor(Func{bool}, TimeSpan, CancellationToken)"/>).
/// Waiting and notifying require holding the lock. Every wait re-acquires the lock before returning, also on
/// timeout and cancellation; a reentrant lock held several times is released completely while waiting and
/// restored to the same count.
/// </para>
/// <para>
/// Synchronous waits belong to the calling thread. Asynchronous waits (<see cref="WaitAsync(LockScope, TimeSpan, CancellationToken)"/>)
/// belong to a <see cref="LockScope"/> obtained from <see cref="AcquireAsync(CancellationToken)"/>, because the continuation may run
/// on another thread.
/// </para>
/// <para>
/// A notify moves the notified waiters straight onto the lock's wait queue (wait morphing), so they wake only when
/// the notifier releases the lock, not while it still holds it; see <c>docs/design/locks.md</c>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var ready = new Condition();
/// var items = new List&lt;int&gt;();
/// // consumer
/// using (ready.Acquire())
/// {
///     ready.WaitFor(() => items.Count &gt; 0);
///     Console.WriteLine(items[0]);
/// }
/// // producer
/// using (ready.Acquire())
/// {
///     items.Add(42);
///     ready.Notify();
/// }
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class Condition
{
    private readonly OwnedLock _lock;

    // Guarded by the lock's gate (OwnedLock.Conditions.cs), not by the lock: a waiter that times out leaves it
    // without holding the lock. Only a holder of the lock adds to it (Wait) or takes from it (Notify).
    private readonly WaiterQueue _waiters = new();

    /// <summary>Creates a condition variable over <paramref name="lock"/>, or over a new <see cref="ReentrantLock"/> as Python does.</summary>
    /// <param name="lock">The lock that guards the shared state; <see langword="null"/> (the default) creates a <see cref="ReentrantLock"/>.</param>
    /// <param name="name">A name for the lock created when <paramref name="lock"/> is <see langword="null"/>.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <param name="callerMember">Filled in by the compiler.</param>
    public Condition(
        OwnedLock? @lock = null,
        string? name = null,
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0,
        [CallerMemberName] string callerMember = "")
    {
        _lock = @lock ?? new ReentrantLock(name, callerFile, callerLine, callerMember);
    }

    /// <summary>Gets the lock that guards the shared state.</summary>
    public OwnedLock Lock => _lock;

    /// <summary>Acquires the condition's lock; see <see cref="OwnedLock.Acquire(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    public LockScope Acquire(CancellationToken cancellationToken = default) => _lock.Acquire(cancellationToken);

    /// <summary>Acquires the condition's lock, waiting up to <paramref name="timeout"/>; see <see cref="OwnedLock.Acquire(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    public LockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.Acquire(timeout, cancellationToken);

    /// <summary>Acquires the condition's lock if it is free, without waiting; see <see cref="OwnedLock.TryAcquire()"/>.</summary>
    /// <returns><see langword="true"/> if the calling thread now holds the lock.</returns>
    public bool TryAcquire() => _lock.TryAcquire();

    /// <summary>Waits up to <paramref name="timeout"/> for the condition's lock; see <see cref="OwnedLock.TryAcquire(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the calling thread now holds the lock.</returns>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.TryAcquire(timeout, cancellationToken);

    /// <summary>Releases the condition's lock once; see <see cref="OwnedLock.Release"/>.</summary>
    public void Release() => _lock.Release();

    /// <summary>Acquires the condition's lock asynchronously; pass the scope to the asynchronous waits.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    public ValueTask<LockScope> AcquireAsync(CancellationToken cancellationToken = default) => _lock.AcquireAsync(cancellationToken);

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> for the condition's lock; see <see cref="OwnedLock.TryAcquireAsync"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope; <see cref="LockScope.IsAcquired"/> is <see langword="false"/> if the time ran out.</returns>
    public ValueTask<LockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.TryAcquireAsync(timeout, cancellationToken);

    /// <summary>Releases the lock, waits until notified, and re-acquires the lock.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="DeadlockException">Re-acquiring the lock would close a deadlock cycle; the lock is then not held.</exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(WaitCore(CallingThread(), Timeout.InfiniteTimeSpan, sync: true, cancellationToken));

    /// <summary>Releases the lock, waits until notified or until <paramref name="timeout"/> passes, and re-acquires the lock.</summary>
    /// <param name="timeout">The most time to wait for a notify; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns><see langword="true"/> if notified; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="DeadlockException">Re-acquiring the lock would close a deadlock cycle; the lock is then not held.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitCore(CallingThread(), timeout, sync: true, cancellationToken));
    }

    /// <summary>Waits until <paramref name="predicate"/> returns <see langword="true"/> (Python's <c>wait_for</c>).</summary>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    public void WaitFor(Func<bool> predicate, CancellationToken cancellationToken = default) =>
        WaitFor(predicate, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits until <paramref name="predicate"/> returns <see langword="true"/> or <paramref name="timeout"/> passes (Python's <c>wait_for</c>).</summary>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="timeout">The most time to wait in all; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The predicate's last value: <see langword="false"/> means the time ran out.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    public bool WaitFor(Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitForCore(null, predicate, timeout, sync: true, cancellationToken));
    }

    /// <summary>Wakes up to <paramref name="count"/> threads waiting on this condition, longest waiting first.</summary>
    /// <param name="count">How many waiters to wake; the default is 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="SynchronizationLockException">The lock is not held by the calling thread (or by an async acquisition).</exception>
    public void Notify(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        EnsureHeldForNotify();
        // Only a holder of the lock adds waiters, and waiters that give up only remove themselves, so a queue seen
        // empty here stays empty until this notify returns: no need for the gate.
        if (count > 0 && _waiters.Count > 0)
        {
            _lock.MoveToLockQueue(_waiters, count);
        }
    }

    /// <summary>Wakes every thread waiting on this condition.</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held by the calling thread (or by an async acquisition).</exception>
    public void NotifyAll() => Notify(int.MaxValue);

    /// <summary>Asynchronously releases the lock held by <paramref name="scope"/>, waits until notified, and re-acquires it.</summary>
    /// <param name="scope">The scope returned by <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns>A task that completes when notified and the lock is held again.</returns>
    /// <exception cref="SynchronizationLockException"><paramref name="scope"/> does not hold this condition's lock, or comes from a synchronous acquire.</exception>
    public Task WaitAsync(LockScope scope, CancellationToken cancellationToken = default) =>
        WaitCore(ScopeOwner(scope), Timeout.InfiniteTimeSpan, sync: false, cancellationToken).AsTask();

    /// <summary>Asynchronously releases the lock held by <paramref name="scope"/>, waits until notified or until <paramref name="timeout"/> passes, and re-acquires it.</summary>
    /// <param name="scope">The scope returned by <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="timeout">The most time to wait for a notify.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns><see langword="true"/> if notified; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="SynchronizationLockException"><paramref name="scope"/> does not hold this condition's lock, or comes from a synchronous acquire.</exception>
    public Task<bool> WaitAsync(LockScope scope, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitCore(ScopeOwner(scope), timeout, sync: false, cancellationToken).AsTask();
    }

    /// <summary>Asynchronously waits until <paramref name="predicate"/> returns <see langword="true"/>.</summary>
    /// <param name="scope">The scope returned by <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the predicate holds, with the lock held.</returns>
    public Task WaitForAsync(LockScope scope, Func<bool> predicate, CancellationToken cancellationToken = default) =>
        WaitForAsync(scope, predicate, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Asynchronously waits until <paramref name="predicate"/> returns <see langword="true"/> or <paramref name="timeout"/> passes.</summary>
    /// <param name="scope">The scope returned by <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="timeout">The most time to wait in all.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The predicate's last value.</returns>
    public Task<bool> WaitForAsync(LockScope scope, Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitForCore(scope, predicate, timeout, sync: false, cancellationToken).AsTask();
    }

    /// <summary>
    /// Describes the condition as CPython's <c>repr</c> does: its lock's state and the number of waiters, e.g.
    /// <c>Condition(ReentrantLock 'ready' (free), 2 waiting)</c>.
    /// </summary>
    /// <returns>The lock's <see cref="OwnedLock.ToString"/> and how many callers wait on this condition.</returns>
    public override string ToString() => $"Condition({_lock}, {_waiters.Count} waiting)";

    /// <summary>Gets the number of callers waiting on this condition for a notify (not those already notified).</summary>
    internal int WaiterCount => _waiters.Count;

    /// <summary>
    /// One wait, blocking (<paramref name="sync"/>) or asynchronous, for <paramref name="owner"/>, which holds the
    /// lock: queue in the condition and release the lock; sleep until a notify has moved the waiter onto the lock's
    /// queue and a release has woken it, or until the timeout or the token ends the condition part; then re-acquire
    /// (uncancellable) and return whether a notify came. The queue's waits call it directly.
    /// </summary>
    internal async ValueTask<bool> WaitCore(LockOwner owner, TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (sync && LockOrderGraph.Active)
        {
            // The re-acquire at the end is a lock acquire like any other: check its order now, while refusing it
            // changes nothing (the lock is still held), rather than after the wait, when the lock would be lost.
            LockOrderGraph.CheckBeforeAcquire(_lock, (ThreadOwner)owner);
        }
        var waiter = _lock.BeginConditionWait(_waiters, owner, sync);
        var cancelled = false;
        try
        {
            await OwnedLock.WaitForWake(waiter, Deadline.Start(timeout), sync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        var notified = _lock.EndConditionWait(_waiters, waiter);
        await _lock.ReacquireAfterCondition(waiter, sync).ConfigureAwait(false);
        if (cancelled && !notified)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        return notified;
    }

    /// <summary>Python's <c>wait_for</c>, blocking or asynchronous: the predicate is checked with the lock held, the timeout counts in all.</summary>
    private async ValueTask<bool> WaitForCore(LockScope? scope, Func<bool> predicate, TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(timeout);
        var result = predicate();
        while (!result)
        {
            var remaining = deadline.Remaining;
            if (remaining == TimeSpan.Zero)
            {
                break;
            }
            LockOwner owner = sync ? CallingThread() : ScopeOwner(scope!.Value);
            await WaitCore(owner, remaining, sync, cancellationToken).ConfigureAwait(false);
            result = predicate();
        }
        return result;
    }

    /// <summary>The calling thread's owner record, which must hold the lock for a blocking wait.</summary>
    private ThreadOwner CallingThread()
    {
        var me = ThreadOwner.Current;
        if (!_lock.IsOwnedBy(me))
        {
            throw new SynchronizationLockException(
                $"Cannot wait on a condition whose lock '{_lock.Name}' the calling {me.Describe()} does not hold. " +
                "Acquire it first: using (condition.Acquire()) { condition.Wait(); }");
        }
        return me;
    }

    /// <summary>The owner behind <paramref name="scope"/>, which must hold the lock through an asynchronous acquire.</summary>
    private AsyncOwner ScopeOwner(LockScope scope)
    {
        if (!ReferenceEquals(scope.Lock, _lock) || scope.Owner is not AsyncOwner owner || !_lock.IsOwnedBy(owner))
        {
            throw new SynchronizationLockException(
                $"Cannot wait asynchronously on a condition whose lock '{_lock.Name}' the given scope does not hold. " +
                "Pass the scope returned by 'await condition.AcquireAsync()'.");
        }
        return owner;
    }

    private void EnsureHeldForNotify()
    {
        var owner = _lock.Owner;
        if (owner is AsyncOwner || (owner is not null && owner == ThreadOwner.Current))
        {
            return;
        }
        throw new SynchronizationLockException(
            $"Cannot notify a condition whose lock '{_lock.Name}' the calling thread does not hold. " +
            "Acquire it first: using (condition.Acquire()) { condition.Notify(); }");
    }
}
