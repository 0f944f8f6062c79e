using System.Diagnostics;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// The base of the locks between processes that a killed owner never blocks: <see cref="ProcessLock"/> (Python's
/// <c>multiprocessing.Lock</c>) and <see cref="ProcessReentrantLock"/> (<c>multiprocessing.RLock</c>), as
/// <see cref="OwnedLock"/> is of the thread locks. When the process that holds the lock dies, SIGKILL included, the next
/// waiter gets it within tens of milliseconds, and <see cref="ProcessLockScope.PreviousOwnerDied"/> tells it so, so that
/// it can repair what the lock protects.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ownership.</b> The lock is held by one thread of one process at a time (or by one asynchronous scope), as
/// Python's locks are owned by a thread of a process. Who holds it is written in the lock's shared memory (the
/// process id, the holding thread's token (never reused, unlike a managed thread id) and the recursion count), so every object of this process that stands for the
/// same lock (a lock received twice, a condition's lock) agrees about it. Releasing from a thread that does not hold
/// it throws <see cref="SynchronizationLockException"/>.
/// </para>
/// <para>
/// <b>Cost.</b> Uncontended, acquiring and releasing are one compare-and-swap each, with no system call; waiters spin
/// briefly and then sleep on a futex. The lock is not fair: a thread that comes when the lock is free may take it
/// before one that waited.
/// </para>
/// <para>
/// <b>What a dead owner leaves.</b> The lock word holds the owner's process id; a waiter that sees nothing change for
/// 10 ms asks whether that process still runs, and takes the lock over when it does not. A thread of a live process
/// that ends while holding the lock keeps it held, as with <see cref="ExclusiveLock"/>.
/// </para>
/// <para>Linux only today (x64 and Arm64); elsewhere the constructors throw <see cref="PlatformNotSupportedException"/>.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public abstract class ProcessOwnedLock : IDisposable
{
    /// <summary>How long a waiter sleeps without change before it checks whether the owner still runs.</summary>
    private const int LockSlice = 10;

    private static int s_asyncOwners;

    private readonly SyncMemory _memory;
    private readonly int _pid = Environment.ProcessId;
    private readonly bool _reentrant;
    private readonly string _typeName;
    private int _holdRefs;
    private bool _previousOwnerDied;
    private int _takeovers;

    private protected ProcessOwnedLock(SyncMemory memory, bool reentrant, string typeName)
    {
        _memory = memory;
        _reentrant = reentrant;
        _typeName = typeName;
    }

    /// <summary>Gets a value indicating whether a thread of any process holds the lock now.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool IsHeld => OwnerProcessId != 0;

    /// <summary>Gets the process id of the process that holds the lock now, or 0 when it is free (a dead owner's until a waiter takes over).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public int OwnerProcessId
    {
        get
        {
            _memory.BeginUse();
            try
            {
                return _memory.Lock.Owner;
            }
            finally
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>Gets a value indicating whether the calling thread holds the lock (through a blocking acquire).</summary>
    public bool IsHeldByCurrentThread => IsHeldBy(ThreadToken.Current);

    /// <summary>
    /// Gets a value indicating whether the current hold was taken over from a process that died holding the lock
    /// (also when a <see cref="ProcessCondition"/> wait took it over to return). Meaningful to the holder, while it
    /// holds the lock (after <see cref="TryAcquire()"/>, which returns no scope).
    /// </summary>
    public bool PreviousOwnerDied => Volatile.Read(ref _previousOwnerDied);

    /// <summary>Gets how many times this process took the lock over from a dead owner, through this object.</summary>
    public int Takeovers => Volatile.Read(ref _takeovers);

    /// <summary>Gets the name the lock's memory shows as in <c>/proc/&lt;pid&gt;/fd</c> (<c>memfd:&lt;name&gt;</c>), in the process that created it.</summary>
    internal string? MemoryName => _memory.MemoryName;

    /// <summary>Gets the lock's memory, for handle passing, conditions and tests.</summary>
    internal SyncMemory Memory => _memory;

    /// <summary>Gets a value indicating whether the owner may acquire the lock again.</summary>
    internal bool IsReentrant => _reentrant;

    /// <summary>Gets the type's name, for messages.</summary>
    internal string TypeName => _typeName;

    /// <summary>Blocks until the calling thread holds the lock, and returns a scope that releases it when disposed.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once; its <see cref="ProcessLockScope.PreviousOwnerDied"/> says whether the previous owner died holding it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock, which is a <see cref="ProcessLock"/> (not reentrant).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public ProcessLockScope Acquire(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int me = ThreadToken.Current;
        if (TryTakeOrReenter(me))
        {
            // Uncontended, or again by its holder: no state machine of the waiting core.
            return new ProcessLockScope(this, me, previousOwnerDied: false);
        }
        bool died = SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, me, Deadline.Start(Timeout.InfiniteTimeSpan), cancellationToken))!.Value;
        return new ProcessLockScope(this, me, died);
    }

    /// <summary>Blocks until the calling thread holds the lock or <paramref name="timeout"/> passes, and returns a scope that releases it when disposed.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock, which is a <see cref="ProcessLock"/> (not reentrant).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public ProcessLockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        int me = ThreadToken.Current;
        if (TryTakeOrReenter(me))
        {
            return new ProcessLockScope(this, me, previousOwnerDied: false);
        }
        bool? died = SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, me, Deadline.Start(timeout), cancellationToken));
        return died is bool tookOver ? new ProcessLockScope(this, me, tookOver) : throw TimedOut(timeout);
    }

    /// <summary>Acquires the lock if it is free, or again if the calling thread holds a <see cref="ProcessReentrantLock"/>, without waiting (a dead owner's lock is not free until a waiter looked for a slice).</summary>
    /// <returns><see langword="true"/> if the calling thread now holds the lock (release it with <see cref="Release"/>); otherwise <see langword="false"/>.</returns>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock, which is a <see cref="ProcessLock"/> (not reentrant).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool TryAcquire()
    {
        int me = ThreadToken.Current;
        return TryTakeOrReenter(me);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock (Python's <c>acquire(timeout=...)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> tries once, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns><see langword="true"/> if the calling thread now holds the lock (release it with <see cref="Release"/>; <see cref="PreviousOwnerDied"/> tells whether its owner died); <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock, which is a <see cref="ProcessLock"/> (not reentrant).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        int me = ThreadToken.Current;
        return TryTakeOrReenter(me) || SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, me, Deadline.Start(timeout), cancellationToken)) is not null;
    }

    /// <summary>Releases the lock the calling thread holds, once (after <see cref="TryAcquire()"/>; a scope releases by itself).</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    public void Release() => ReleaseCore(ThreadToken.Current);

    /// <summary>
    /// Waits asynchronously for the lock and returns a scope that releases it when disposed. The scope, not the thread,
    /// owns the lock, so the continuation may run on any thread; each asynchronous acquisition is its own owner, so it
    /// is not reentrant.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public async ValueTask<ProcessLockScope> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int owner = NewAsyncOwner();
        bool died = (await AcquireCoreAsync(sync: false, owner, Deadline.Start(Timeout.InfiniteTimeSpan), cancellationToken).ConfigureAwait(false))!.Value;
        return new ProcessLockScope(this, owner, died);
    }

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> for the lock and returns a scope that releases it when disposed.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public async ValueTask<ProcessLockScope> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var scope = await TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
        return scope.IsAcquired ? scope : throw TimedOut(timeout);
    }

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> for the lock.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope: if <see cref="ProcessLockScope.IsAcquired"/>, disposing it releases the lock; otherwise the time ran out and disposing it does nothing.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public async ValueTask<ProcessLockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        int owner = NewAsyncOwner();
        bool? died = await AcquireCoreAsync(sync: false, owner, Deadline.Start(timeout), cancellationToken).ConfigureAwait(false);
        return died is bool tookOver ? new ProcessLockScope(this, owner, tookOver) : default;
    }

    /// <summary>
    /// Closes this process's view of the lock: blocked calls of this process end with
    /// <see cref="ObjectDisposedException"/>. The other processes keep theirs; a hold of this process stays until released.
    /// </summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this); // A process that receives this lock later is told it was closed here.
        _memory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Describes the lock and its state.</summary>
    /// <returns>For example <c>ProcessLock (held by process 1234)</c> or <c>ProcessReentrantLock (free)</c>.</returns>
    public override string ToString()
    {
        try
        {
            int owner = OwnerProcessId;
            return owner == 0 ? $"{_typeName} (free)" : $"{_typeName} (held by process {owner})";
        }
        catch (ObjectDisposedException)
        {
            return $"{_typeName} (disposed in this process)";
        }
    }

    /// <summary>Gets whether <paramref name="owner"/> (a thread token, or an asynchronous owner) of this process holds the lock.</summary>
    internal bool IsHeldBy(int owner)
    {
        if (!_memory.TryBeginUse())
        {
            return false;
        }
        try
        {
            return HeldBy(owner);
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Releases once on behalf of <paramref name="owner"/> (a thread token, or an asynchronous scope's owner).</summary>
    internal void ReleaseCore(int owner)
    {
        // While a hold through this object lasts, its reference keeps the mapping (even after a dispose): the usual
        // release needs no reference of its own.
        bool used = Volatile.Read(ref _holdRefs) == 0 && _memory.TryBeginUse();
        if (!used && Volatile.Read(ref _holdRefs) == 0)
        {
            _memory.ThrowIfDisposed();
            throw new ObjectDisposedException(_typeName);
        }
        try
        {
            if (!HeldBy(owner))
            {
                throw new SynchronizationLockException(
                    owner > 0
                        ? $"The calling thread does not hold this {_typeName}: only the thread that acquired it releases it (an asynchronous acquire is released by disposing its scope)."
                        : $"This scope no longer holds its {_typeName}.");
            }
            int depth = Volatile.Read(ref _memory.Depth);
            if (depth > 1)
            {
                Volatile.Write(ref _memory.Depth, depth - 1);
                return;
            }
            if (Volatile.Read(ref _holdRefs) == 0)
            {
                throw new SynchronizationLockException(
                    $"This {_typeName} was acquired through another object for the same lock in this process (one received twice, or a condition's): release it through the object it was acquired with.");
            }
            Volatile.Write(ref _holdRefs, _holdRefs - 1); // Changed only by holders of the lock, one at a time.
            _previousOwnerDied = false;
            Volatile.Write(ref _memory.Depth, 0);
            Volatile.Write(ref _memory.Holder, 0);
            bool held = _memory.Lock.Unlock(_pid, _memory.Changes);
            _memory.EndUse(); // The reference the acquire took.
            if (!held)
            {
                throw new SynchronizationLockException(
                    $"This process's hold of the {_typeName} was taken over by another process while it held it (its process id was reused, or the shared memory was written by code other than Concur's).");
            }
        }
        finally
        {
            if (used)
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>
    /// Frees the lock that <paramref name="owner"/> holds, however many times it holds it, for a condition wait: the
    /// hold's reference to the mapping stays where it was. Returns the recursion count to restore.
    /// </summary>
    /// <exception cref="SynchronizationLockException"><paramref name="owner"/> does not hold the lock.</exception>
    internal int ReleaseForWait(int owner, string waiter)
    {
        _memory.BeginUse();
        try
        {
            if (!HeldBy(owner))
            {
                throw new SynchronizationLockException(
                    owner > 0
                        ? $"The calling thread does not hold the {_typeName} of this {waiter}: acquire it first (using (condition.Acquire()) {{ ... condition.Wait(); }}), as Python's wait raises RuntimeError on an un-acquired lock."
                        : $"This scope does not hold the {_typeName} of this {waiter}: pass the scope returned by the condition's AcquireAsync while it holds the lock.");
            }
            int depth = Volatile.Read(ref _memory.Depth);
            Volatile.Write(ref _memory.Depth, 0);
            Volatile.Write(ref _memory.Holder, 0);
            _memory.Lock.Unlock(_pid, _memory.Changes);
            return depth;
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Takes the lock back for <paramref name="owner"/> after a condition wait, with its recursion count; not cancellable.</summary>
    /// <returns>Whether the lock was taken over from a process that died holding it.</returns>
    internal async ValueTask<bool> ReacquireAfterWaitAsync(bool sync, int owner, int depth)
    {
        _memory.BeginUse();
        try
        {
            bool died = (await TakeAsync(sync, owner, Deadline.Start(Timeout.InfiniteTimeSpan), CancellationToken.None).ConfigureAwait(false))!.Value;
            Volatile.Write(ref _memory.Depth, depth);
            _previousOwnerDied = died;
            return died;
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Gets a new owner for an asynchronous acquisition: negative, so it is never a thread token.</summary>
    internal static int NewAsyncOwner()
    {
        int owner = Interlocked.Decrement(ref s_asyncOwners);
        return owner == 0 ? Interlocked.Decrement(ref s_asyncOwners) : owner;
    }

    /// <summary>Whether <paramref name="owner"/> of this process holds the lock; the caller holds a use of the memory.</summary>
    private bool HeldBy(int owner) => _memory.Lock.Owner == _pid && Volatile.Read(ref _memory.Holder) == owner;

    /// <summary>Counts one more hold when <paramref name="owner"/> holds a reentrant lock already; throws for a lock that is not reentrant.</summary>
    private bool TryReenter(int owner)
    {
        // A hold through this object keeps its mapping: no reference needed to look (the usual re-entry).
        bool used = Volatile.Read(ref _holdRefs) == 0;
        if (used && !_memory.TryBeginUse())
        {
            return false;
        }
        try
        {
            if (!HeldBy(owner))
            {
                return false;
            }
            if (!_reentrant)
            {
                throw new LockRecursionException(
                    $"The calling thread already holds this {_typeName}, which is not reentrant: acquiring it again would wait forever. Release it first, or use a ProcessReentrantLock.");
            }
            Volatile.Write(ref _memory.Depth, Volatile.Read(ref _memory.Depth) + 1);
            return true;
        }
        finally
        {
            if (used)
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>
    /// Takes a free lock (one compare-and-swap), or counts one more hold of its owner. While this object holds the
    /// lock, re-entry is looked at first (no compare-and-swap that would fail); otherwise the compare-and-swap is.
    /// </summary>
    private bool TryTakeOrReenter(int owner) =>
        Volatile.Read(ref _holdRefs) > 0 ? TryReenter(owner) || TryTakeFast(owner) : TryTakeFast(owner) || TryReenter(owner);

    /// <summary>One compare-and-swap; on success the hold keeps a reference to the mapping until it is released.</summary>
    private bool TryTakeFast(int owner)
    {
        _memory.BeginUse();
        if (_memory.Lock.TryLock(_pid))
        {
            Held(owner, died: false);
            return true;
        }
        _memory.EndUse();
        return false;
    }

    /// <summary>Records a new hold of <paramref name="owner"/> through this object.</summary>
    private void Held(int owner, bool died)
    {
        Volatile.Write(ref _memory.Holder, owner);
        Volatile.Write(ref _memory.Depth, 1);
        Volatile.Write(ref _holdRefs, _holdRefs + 1); // Changed only by holders of the lock, one at a time.
        _previousOwnerDied = died;
    }

    /// <summary>Waits for the lock; returns whether the previous owner died, or <see langword="null"/> when the time ran out.</summary>
    private async ValueTask<bool?> AcquireCoreAsync(bool sync, int owner, Deadline deadline, CancellationToken cancellationToken)
    {
        if (TryTakeFast(owner))
        {
            return false;
        }
        _memory.BeginUse();
        bool acquired = false;
        try
        {
            bool? died = await TakeAsync(sync, owner, deadline, cancellationToken).ConfigureAwait(false);
            if (died is bool tookOver)
            {
                acquired = true;
                Volatile.Write(ref _holdRefs, _holdRefs + 1);
                _previousOwnerDied = tookOver;
            }
            return died;
        }
        finally
        {
            if (!acquired)
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>
    /// Takes the lock word for <paramref name="owner"/>, waiting in slices and taking it over from a dead owner; the
    /// caller holds a use of the memory. Returns whether the previous owner died, or <see langword="null"/> when the
    /// time ran out.
    /// </summary>
    private async ValueTask<bool?> TakeAsync(bool sync, int owner, Deadline deadline, CancellationToken cancellationToken)
    {
        bool stale = false;
        while (true)
        {
            _memory.ThrowIfDisposed();
            int seen = _memory.Changes.Read();
            LockAttempt attempt = _memory.Lock.TryLock(_pid, stale);
            if (attempt != LockAttempt.Busy)
            {
                bool died = attempt == LockAttempt.TookOver;
                if (died)
                {
                    Interlocked.Increment(ref _takeovers);
                }
                Volatile.Write(ref _memory.Holder, owner);
                Volatile.Write(ref _memory.Depth, 1);
                return died;
            }
            if (deadline.Remaining == TimeSpan.Zero)
            {
                return null;
            }
            stale = !await _memory.WaitForLockAsync(sync, seen, LockSlice, deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeoutException TimedOut(TimeSpan timeout) =>
        new($"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting for a {_typeName}.");
}
