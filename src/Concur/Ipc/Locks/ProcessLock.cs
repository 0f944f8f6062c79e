using System.Diagnostics;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A mutual-exclusion lock between processes that a killed owner never blocks (Python's <c>multiprocessing.Lock</c>,
/// owned like <see cref="ExclusiveLock"/>): when the process that holds it dies, SIGKILL included, the next waiter
/// gets it within tens of milliseconds, and <see cref="ProcessLockScope.PreviousOwnerDied"/> tells it so, so that it
/// can repair what the lock protects.
/// </summary>
/// <remarks>
/// <para>
/// Pass the lock to a <see cref="ChildProcess"/> (captured by its lambda, as its argument or as a field of a
/// subclass) or to a pool task, and both processes use the same lock. It lives in one page of anonymous shared
/// memory while any process has it open; <see cref="Dispose"/> closes this process's view only. Nothing is named in
/// the file system, so nothing is left behind, whatever happens to the processes.
/// </para>
/// <para>
/// The lock is held by one thread of one process at a time (or by one asynchronous scope). It is not reentrant: a
/// thread that acquires it again while holding it gets a <see cref="LockRecursionException"/> instead of waiting
/// forever; a reentrant process lock is still to come. Releasing from a thread that does not hold it throws
/// <see cref="SynchronizationLockException"/>. Uncontended, acquiring and releasing are one compare-and-swap each,
/// with no system call; waiters spin briefly and then sleep on a futex. It is not fair: a thread that comes when the
/// lock is free may take it before one that waited.
/// </para>
/// <para>
/// What a dead owner leaves: the lock word holds the owner's process id; a waiter that sees nothing change for 10 ms
/// asks whether that process still runs, and takes the lock over when it does not. A thread of a live process that
/// ends while holding the lock keeps it held, as with <see cref="ExclusiveLock"/>.
/// </para>
/// <para>Linux only today (x64 and Arm64); elsewhere the constructor throws <see cref="PlatformNotSupportedException"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// using var balanceLock = new ProcessLock();
/// var child = new ChildProcess(() =&gt;
/// {
///     using var held = balanceLock.Acquire();
///     if (held.PreviousOwnerDied)
///     {
///         RepairBalance();
///     }
///     UpdateBalance();
/// });
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class ProcessLock : IDisposable
{
    /// <summary>How long a waiter sleeps without change before it checks whether the owner still runs.</summary>
    private const int LockSlice = 10;

    private readonly SyncMemory _memory;
    private readonly int _pid = Environment.ProcessId;
    private object? _holder;
    private bool _previousOwnerDied;
    private int _takeovers;

    /// <summary>Creates a free lock in new shared memory.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessLock()
        : this(SyncMemory.Create(SyncKinds.Lock, nameof(ProcessLock)))
    {
    }

    private ProcessLock(SyncMemory memory) => _memory = memory;

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
    public bool IsHeldByCurrentThread => ReferenceEquals(Volatile.Read(ref _holder), Thread.CurrentThread);

    /// <summary>
    /// Gets a value indicating whether the current hold was taken over from a process that died holding the lock.
    /// Meaningful to the holder, while it holds the lock (after <see cref="TryAcquire()"/>, which returns no scope).
    /// </summary>
    public bool PreviousOwnerDied => Volatile.Read(ref _previousOwnerDied);

    /// <summary>Gets how many times this process took the lock over from a dead owner.</summary>
    public int Takeovers => Volatile.Read(ref _takeovers);

    /// <summary>Gets the name the lock's memory shows as in <c>/proc/&lt;pid&gt;/fd</c> (<c>memfd:&lt;name&gt;</c>), in the process that created it.</summary>
    internal string? MemoryName => _memory.MemoryName;

    /// <summary>Gets the lock's memory, for handle passing and tests.</summary>
    internal SyncMemory Memory => _memory;

    /// <summary>Blocks until the calling thread holds the lock, and returns a scope that releases it when disposed.</summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once; its <see cref="ProcessLockScope.PreviousOwnerDied"/> says whether the previous owner died holding it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public ProcessLockScope Acquire(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var me = Thread.CurrentThread;
        ThrowIfHeldBy(me);
        if (TryTakeFast(me))
        {
            // Uncontended: one compare-and-swap, without the state machine of the waiting core.
            _previousOwnerDied = false;
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
    /// <exception cref="LockRecursionException">The calling thread already holds this lock.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public ProcessLockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        var me = Thread.CurrentThread;
        ThrowIfHeldBy(me);
        bool? died = SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, me, Deadline.Start(timeout), cancellationToken));
        return died is bool tookOver ? new ProcessLockScope(this, me, tookOver) : throw TimedOut(timeout);
    }

    /// <summary>Acquires the lock if it is free, without waiting (a dead owner's lock is not free until a waiter looked for a slice).</summary>
    /// <returns><see langword="true"/> if the calling thread now holds the lock (release it with <see cref="Release"/>); otherwise <see langword="false"/>.</returns>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool TryAcquire()
    {
        var me = Thread.CurrentThread;
        ThrowIfHeldBy(me);
        return TryTakeFast(me);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock (Python's <c>acquire(timeout=...)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> tries once, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns><see langword="true"/> if the calling thread now holds the lock (release it with <see cref="Release"/>; <see cref="PreviousOwnerDied"/> tells whether its owner died); <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds this lock.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        var me = Thread.CurrentThread;
        ThrowIfHeldBy(me);
        return SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, me, Deadline.Start(timeout), cancellationToken)) is not null;
    }

    /// <summary>Releases the lock the calling thread holds (after <see cref="TryAcquire()"/>; a scope releases by itself).</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock.</exception>
    public void Release() => ReleaseCore(Thread.CurrentThread);

    /// <summary>
    /// Waits asynchronously for the lock and returns a scope that releases it when disposed. The scope, not the thread,
    /// owns the lock, so the continuation may run on any thread.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the lock is then not acquired.</param>
    /// <returns>A scope whose <see cref="ProcessLockScope.Dispose"/> releases the lock once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the lock.</exception>
    public async ValueTask<ProcessLockScope> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var owner = new object();
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
        var owner = new object();
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
    }

    /// <summary>Describes the lock and its state.</summary>
    /// <returns>For example <c>ProcessLock (held by process 1234)</c> or <c>ProcessLock (free)</c>.</returns>
    public override string ToString()
    {
        try
        {
            int owner = OwnerProcessId;
            return owner == 0 ? "ProcessLock (free)" : $"ProcessLock (held by process {owner})";
        }
        catch (ObjectDisposedException)
        {
            return "ProcessLock (disposed in this process)";
        }
    }

    /// <summary>Releases once on behalf of <paramref name="owner"/> (a thread, or an asynchronous scope's owner).</summary>
    internal void ReleaseCore(object owner)
    {
        if (!ReferenceEquals(Volatile.Read(ref _holder), owner))
        {
            throw new SynchronizationLockException(
                owner is Thread
                    ? "The calling thread does not hold this ProcessLock: only the thread that acquired it releases it (an asynchronous acquire is released by disposing its scope)."
                    : "This scope no longer holds its ProcessLock.");
        }
        _previousOwnerDied = false;
        Volatile.Write(ref _holder, null);
        bool held = _memory.Lock.Unlock(_pid, _memory.Changes);
        _memory.EndUse(); // The reference the acquire took.
        if (!held)
        {
            throw new SynchronizationLockException(
                "This process's hold of the ProcessLock was taken over by another process while it held it (its process id was reused, or the shared memory was written by code other than Concur's).");
        }
    }

    /// <summary>One compare-and-swap; on success the hold keeps a reference to the mapping until it is released.</summary>
    private bool TryTakeFast(object owner)
    {
        _memory.BeginUse();
        if (_memory.Lock.TryLock(_pid))
        {
            Volatile.Write(ref _holder, owner);
            return true;
        }
        _memory.EndUse();
        return false;
    }

    /// <summary>Waits for the lock; returns whether the previous owner died, or <see langword="null"/> when the time ran out.</summary>
    private async ValueTask<bool?> AcquireCoreAsync(bool sync, object owner, Deadline deadline, CancellationToken cancellationToken)
    {
        if (TryTakeFast(owner))
        {
            _previousOwnerDied = false;
            return false;
        }
        _memory.BeginUse();
        bool acquired = false;
        try
        {
            bool stale = false;
            while (true)
            {
                _memory.ThrowIfDisposed();
                int seen = _memory.Changes.Read();
                LockAttempt attempt = _memory.Lock.TryLock(_pid, stale);
                if (attempt != LockAttempt.Busy)
                {
                    acquired = true;
                    bool died = attempt == LockAttempt.TookOver;
                    if (died)
                    {
                        Interlocked.Increment(ref _takeovers);
                    }
                    Volatile.Write(ref _holder, owner);
                    _previousOwnerDied = died;
                    return died;
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return null;
                }
                stale = !await _memory.WaitForLockAsync(sync, seen, LockSlice, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!acquired)
            {
                _memory.EndUse();
            }
        }
    }

    private void ThrowIfHeldBy(Thread me)
    {
        if (ReferenceEquals(Volatile.Read(ref _holder), me))
        {
            throw new LockRecursionException(
                "The calling thread already holds this ProcessLock, which is not reentrant: acquiring it again would wait forever. Release it first, or keep a count of your own.");
        }
    }

    private static TimeoutException TimedOut(TimeSpan timeout) =>
        new($"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting for a ProcessLock.");
}
