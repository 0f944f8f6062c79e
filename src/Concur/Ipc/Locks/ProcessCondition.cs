using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A condition variable between processes (Python's <c>multiprocessing.Condition</c>, shaped as <see cref="Condition"/>):
/// threads of any process wait, holding its lock, until another changes the shared state and notifies them.
/// </summary>
/// <remarks>
/// <para>
/// <b>Semantics.</b> Mesa-style, as in Python: a notified waiter re-acquires the lock before it returns and others may
/// run in between, so check the state again after waking, or use <see cref="WaitFor(Func{bool}, TimeSpan, CancellationToken)"/>.
/// Waiting and notifying require holding the lock (<see cref="SynchronizationLockException"/> otherwise, as Python
/// raises <c>RuntimeError</c>). Every wait re-acquires the lock before it returns, also on timeout and cancellation;
/// a <see cref="ProcessReentrantLock"/> held several times is released completely while waiting and restored to the
/// same count. Notifies serve the longest waiting first.
/// </para>
/// <para>
/// <b>The lock.</b> By default a new <see cref="ProcessReentrantLock"/>, as in Python; or any <see cref="ProcessLock"/>
/// or <see cref="ProcessReentrantLock"/>, and several conditions may share one lock (a queue's "not empty" and "not
/// full"). The waiters are recorded in the lock's own shared memory, with their process ids, so that passing the
/// condition to another process passes its lock with it (<see cref="Lock"/> there is a view of the same lock).
/// </para>
/// <para>
/// <b>Killed processes.</b> A notify counts only live waiters: a waiter whose process was killed while it waited is
/// skipped (and its slot freed), so <c>Notify(n)</c> still wakes <c>n</c> live waiters when there are as many. A waiter
/// killed in the short moment after a notify chose it and before it woke takes that notify with it, as a thread that dies
/// just after waking would. A holder killed while the others wait leaves the lock to be taken over; a waiter that took
/// it over to return finds <see cref="ProcessOwnedLock.PreviousOwnerDied"/> set on <see cref="Lock"/>.
/// </para>
/// <para>
/// <b>Limits.</b> At most 864 threads, in all processes, wait at once on the conditions of one lock (the
/// table fills its 16 KiB of shared memory; the next wait throws <see cref="InvalidOperationException"/>). Linux only
/// today (x64 and Arm64).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var turn = new ProcessCondition();
/// using var whoseTurn = new SharedValue&lt;int&gt;(withLock: false);
/// var pong = new ChildProcess(() =&gt;
/// {
///     using (turn.Acquire())
///     {
///         turn.WaitFor(() =&gt; whoseTurn.Read() == 1);
///         whoseTurn.Write(0);
///         turn.NotifyAll();
///     }
/// });
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessCondition : IDisposable, IPassedByHandle<ProcessCondition>
{
    /// <summary>How long a waiter sleeps before it looks at its slot even without a wake-up.</summary>
    private const int IdleSlice = 250;

    /// <summary>The id of the condition opened by the name of its lock (the ids of the others start at 1).</summary>
    private const int NamedCondition = 0;

    private readonly ProcessOwnedLock _lock;
    private readonly int _id;
    private readonly bool _ownsLock;

    /// <summary>Creates a condition over a new <see cref="ProcessReentrantLock"/>, as Python's <c>Condition()</c> does.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessCondition()
        : this(new ProcessReentrantLock(), ownsLock: true)
    {
    }

    /// <summary>Creates a condition over <paramref name="lock"/> (Python's <c>Condition(lock)</c>).</summary>
    /// <param name="lock">A <see cref="ProcessLock"/> or <see cref="ProcessReentrantLock"/>; the condition does not dispose of it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of <paramref name="lock"/>.</exception>
    public ProcessCondition(ProcessOwnedLock @lock)
        : this(@lock ?? throw new ArgumentNullException(nameof(@lock)), ownsLock: false)
    {
    }

    /// <summary>
    /// Opens the condition named <paramref name="name"/>, or creates it, for processes that share nothing but the
    /// name: the condition of the <see cref="ProcessReentrantLock"/> of that name (<see cref="ProcessReentrantLock.OpenOrCreate"/>).
    /// </summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <remarks>
    /// The name is <c>/dev/shm/&lt;name&gt;</c>, shared by every process of the same user that opens it. Each process
    /// that opens it counts among its users until it disposes of it, and the last one removes the name, so nothing is
    /// left after normal exits. When every user was killed, the name stays until a process opens it again (which
    /// finds it as it was, a dead holder's lock taken over as usual) and disposes of it. A named object passed to a
    /// child travels as its memory, as an anonymous one does; the child is not one of the name's users.
    /// </remarks>
    /// <returns>This process's view of the condition; disposing it disposes its lock.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessReentrantLock"/>.</exception>
    public static ProcessCondition OpenOrCreate(string name) => new(ProcessReentrantLock.OpenOrCreate(name), NamedCondition);

    private ProcessCondition(ProcessOwnedLock @lock, bool ownsLock)
    {
        _lock = @lock;
        _ownsLock = ownsLock;
        var memory = @lock.Memory;
        memory.BeginUse();
        try
        {
            _id = Interlocked.Increment(ref memory.ConditionIds);
        }
        finally
        {
            memory.EndUse();
        }
    }

    private ProcessCondition(ProcessOwnedLock @lock, int id)
    {
        _lock = @lock;
        _ownsLock = true;
        _id = id;
    }

    /// <summary>Gets the lock that guards the shared state.</summary>
    public ProcessOwnedLock Lock => _lock;

    /// <summary>Gets how many threads, in all processes, wait on this condition for a notify (a killed waiter counts until a notify skips it).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public int WaitingCount
    {
        get
        {
            Memory.BeginUse();
            try
            {
                return ConditionTable.CountWaiting(Memory, _id);
            }
            finally
            {
                Memory.EndUse();
            }
        }
    }

    private SyncMemory Memory => _lock.Memory;

    /// <summary>Acquires the condition's lock; see <see cref="ProcessOwnedLock.Acquire(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    public ProcessLockScope Acquire(CancellationToken cancellationToken = default) => _lock.Acquire(cancellationToken);

    /// <summary>Acquires the condition's lock, waiting up to <paramref name="timeout"/>; see <see cref="ProcessOwnedLock.Acquire(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    public ProcessLockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) => _lock.Acquire(timeout, cancellationToken);

    /// <summary>Acquires the condition's lock if it is free, without waiting; see <see cref="ProcessOwnedLock.TryAcquire()"/>.</summary>
    /// <returns><see langword="true"/> if the calling thread now holds the lock.</returns>
    public bool TryAcquire() => _lock.TryAcquire();

    /// <summary>Waits up to <paramref name="timeout"/> for the condition's lock; see <see cref="ProcessOwnedLock.TryAcquire(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the calling thread now holds the lock.</returns>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default) => _lock.TryAcquire(timeout, cancellationToken);

    /// <summary>Releases the condition's lock once; see <see cref="ProcessOwnedLock.Release"/>.</summary>
    public void Release() => _lock.Release();

    /// <summary>Acquires the condition's lock asynchronously; pass the scope to the asynchronous waits.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    public ValueTask<ProcessLockScope> AcquireAsync(CancellationToken cancellationToken = default) => _lock.AcquireAsync(cancellationToken);

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> for the condition's lock; see <see cref="ProcessOwnedLock.TryAcquireAsync"/>.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A scope; <see cref="ProcessLockScope.IsAcquired"/> is <see langword="false"/> if the time ran out.</returns>
    public ValueTask<ProcessLockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.TryAcquireAsync(timeout, cancellationToken);

    /// <summary>Releases the lock, waits until notified, and re-acquires the lock.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(WaitCore(ThreadToken.Current, Timeout.InfiniteTimeSpan, sync: true, cancellationToken));

    /// <summary>Releases the lock, waits until notified or until <paramref name="timeout"/> passes, and re-acquires the lock.</summary>
    /// <param name="timeout">The most time to wait for a notify; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns><see langword="true"/> if notified; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitCore(ThreadToken.Current, timeout, sync: true, cancellationToken));
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
        return SyncOrAsync.RunSync(WaitForCore(ThreadToken.Current, predicate, timeout, sync: true, cancellationToken));
    }

    /// <summary>Wakes up to <paramref name="count"/> live threads waiting on this condition, in any process, longest waiting first.</summary>
    /// <param name="count">How many waiters to wake; the default is 1.</param>
    /// <returns>How many waiters were woken (fewer than <paramref name="count"/> when fewer live ones wait).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="SynchronizationLockException">The lock is not held by the calling thread (or by an asynchronous acquisition of this process).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public int Notify(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Memory.BeginUse();
        try
        {
            int holder = Volatile.Read(ref Memory.Holder);
            if (Memory.Lock.Owner != Environment.ProcessId || (holder != ThreadToken.Current && holder >= 0))
            {
                throw new SynchronizationLockException(
                    $"Notifying a ProcessCondition requires holding its {_lock.TypeName}: acquire it first (using (condition.Acquire()) {{ ... condition.Notify(); }}), as Python's notify raises RuntimeError on an un-acquired lock.");
            }
            return count == 0 ? 0 : ConditionTable.Notify(Memory, _id, count);
        }
        finally
        {
            Memory.EndUse();
        }
    }

    /// <summary>Wakes every live thread waiting on this condition, in any process.</summary>
    /// <returns>How many waiters were woken.</returns>
    /// <exception cref="SynchronizationLockException">The lock is not held by the calling thread (or by an asynchronous acquisition of this process).</exception>
    public int NotifyAll() => Notify(int.MaxValue);

    /// <summary>Asynchronously releases the lock held by <paramref name="scope"/>, waits until notified, and re-acquires it.</summary>
    /// <param name="scope">The scope of <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns>A task that completes when notified and the lock is held again.</returns>
    /// <exception cref="SynchronizationLockException"><paramref name="scope"/> does not hold this condition's lock.</exception>
    public Task WaitAsync(ProcessLockScope scope, CancellationToken cancellationToken = default) =>
        WaitCore(scope.Owner, Timeout.InfiniteTimeSpan, sync: false, cancellationToken).AsTask();

    /// <summary>Asynchronously releases the lock held by <paramref name="scope"/>, waits until notified or until <paramref name="timeout"/> passes, and re-acquires it.</summary>
    /// <param name="scope">The scope of <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="timeout">The most time to wait for a notify.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is re-acquired before the exception is thrown.</param>
    /// <returns><see langword="true"/> if notified; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="SynchronizationLockException"><paramref name="scope"/> does not hold this condition's lock.</exception>
    public Task<bool> WaitAsync(ProcessLockScope scope, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitCore(scope.Owner, timeout, sync: false, cancellationToken).AsTask();
    }

    /// <summary>Asynchronously waits until <paramref name="predicate"/> returns <see langword="true"/>.</summary>
    /// <param name="scope">The scope of <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the predicate holds, with the lock held.</returns>
    public Task WaitForAsync(ProcessLockScope scope, Func<bool> predicate, CancellationToken cancellationToken = default) =>
        WaitForAsync(scope, predicate, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Asynchronously waits until <paramref name="predicate"/> returns <see langword="true"/> or <paramref name="timeout"/> passes.</summary>
    /// <param name="scope">The scope of <see cref="AcquireAsync(CancellationToken)"/> that holds this condition's lock.</param>
    /// <param name="predicate">Evaluated with the lock held, first at once and then after every notify.</param>
    /// <param name="timeout">The most time to wait in all.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The predicate's last value.</returns>
    public Task<bool> WaitForAsync(ProcessLockScope scope, Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitForCore(scope.Owner, predicate, timeout, sync: false, cancellationToken).AsTask();
    }

    /// <summary>Closes this process's view of the condition; the lock is disposed with it when the condition made it (or received it).</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        if (_ownsLock)
        {
            _lock.Dispose();
        }
    }

    /// <summary>Describes the condition as CPython's <c>repr</c> does: its lock and how many wait.</summary>
    /// <returns>For example <c>ProcessCondition(ProcessReentrantLock (free), 2 waiting)</c>.</returns>
    public override string ToString()
    {
        try
        {
            return $"ProcessCondition({_lock}, {WaitingCount} waiting)";
        }
        catch (ObjectDisposedException)
        {
            return "ProcessCondition (disposed in this process)";
        }
    }

    /// <summary>Gets the lock's shared memory, which holds the condition's waiters too.</summary>
    SafeHandle IPassedByHandle<ProcessCondition>.TransferHandle
    {
        get
        {
            Memory.ThrowIfDisposed();
            return Memory.Memory;
        }
    }

    /// <summary>Gets which kind of lock, and which of its conditions.</summary>
    byte[] IPassedByHandle<ProcessCondition>.TransferState
    {
        get
        {
            byte[] state = new byte[5];
            state[0] = _lock.IsReentrant ? (byte)1 : (byte)0;
            BitConverter.TryWriteBytes(state.AsSpan(1), _id);
            return state;
        }
    }

    /// <summary>Maps the received lock memory and stands for the same condition over it.</summary>
    static ProcessCondition IPassedByHandle<ProcessCondition>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state)
    {
        if (state.Length != 5 || state[0] > 1)
        {
            throw new InvalidDataException("The state received for a ProcessCondition is not one of this version of Concur: every process must use the same Concur.dll.");
        }
        bool reentrant = state[0] == 1;
        int id = BitConverter.ToInt32(state[1..]);
        ProcessOwnedLock @lock = reentrant
            ? ProcessReentrantLock.FromMemory(SyncMemory.Attach(handle, SyncKinds.ReentrantLock, nameof(ProcessReentrantLock)))
            : ProcessLock.FromMemory(SyncMemory.Attach(handle, SyncKinds.Lock, nameof(ProcessLock)));
        return new ProcessCondition(@lock, id);
    }

    /// <summary>
    /// One wait for <paramref name="owner"/>, which holds the lock: enlist, release the lock however many times it is
    /// held, sleep until notified (or the time runs out, or the token), then re-acquire with the same count.
    /// </summary>
    private async ValueTask<bool> WaitCore(int owner, TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var memory = Memory;
        memory.BeginUse();
        try
        {
            if (!_lock.IsHeldBy(owner))
            {
                _lock.ReleaseForWait(owner, nameof(ProcessCondition)); // Throws the message that says what to do.
            }
            int slot = ConditionTable.Enlist(memory, _id);
            int depth;
            try
            {
                depth = _lock.ReleaseForWait(owner, nameof(ProcessCondition));
            }
            catch
            {
                ConditionTable.Leave(memory, slot);
                throw;
            }
            bool notified = false;
            ExceptionDispatchInfo? failure = null;
            try
            {
                var deadline = Deadline.Start(timeout);
                while (true)
                {
                    int seen = memory.Notifications.Read();
                    if (ConditionTable.State(memory, slot) == ConditionTable.Notified || deadline.Remaining == TimeSpan.Zero)
                    {
                        break;
                    }
                    await memory.WaitForNotificationAsync(sync, seen, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                notified = ConditionTable.Leave(memory, slot);
            }
            await _lock.ReacquireAfterWaitAsync(sync, owner, depth).ConfigureAwait(false);
            if (failure is not null)
            {
                if (notified)
                {
                    ConditionTable.Notify(memory, _id, 1); // Pass the notify this waiter will not act on to the next one.
                }
                failure.Throw();
            }
            return notified;
        }
        finally
        {
            memory.EndUse();
        }
    }

    private async ValueTask<bool> WaitForCore(int owner, Func<bool> predicate, TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(timeout);
        bool result = predicate();
        while (!result)
        {
            TimeSpan remaining = deadline.Remaining;
            if (remaining == TimeSpan.Zero)
            {
                break;
            }
            await WaitCore(owner, remaining, sync, cancellationToken).ConfigureAwait(false);
            result = predicate();
        }
        return result;
    }
}
