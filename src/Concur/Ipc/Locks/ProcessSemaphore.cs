using System.Diagnostics;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A counting semaphore that any number of processes share (Python's <c>multiprocessing.Semaphore</c>, and
/// <c>BoundedSemaphore</c> with a <c>maxCount</c>): the count lives in a page of anonymous shared memory, and
/// acquire and release are one compare-and-swap each when no one has to wait.
/// </summary>
/// <remarks>
/// <para>
/// Pass it to a <see cref="ChildProcess"/> or a pool task (captured, as an argument, or as a field), as a
/// <see cref="ProcessQueue{T}"/> travels. <see cref="Dispose"/> closes this process's view; the semaphore lives while
/// any process has it.
/// </para>
/// <para>
/// A semaphore has no owner (any process may release what another acquired, as in Python), so a process that dies
/// while it holds a permit takes the permit with it: nobody blocks because of the death itself, but the count stays
/// one lower. Where a holder's death must give the permit back, use a <see cref="ProcessLock"/>, whose next acquirer
/// takes it over and is told.
/// </para>
/// <para>Linux only today (x64 and Arm64); elsewhere the constructor throws <see cref="PlatformNotSupportedException"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// using var slots = new ProcessSemaphore(initialCount: 2, maxCount: 2); // at most two children inside at once
/// var children = Enumerable.Range(0, 5).Select(i =&gt; new ChildProcess(() =&gt;
/// {
///     using (slots.Acquire())
///     {
///         Console.WriteLine($"{i} in");
///     }
/// })).ToList();
/// children.ForEach(c =&gt; c.Start());
/// children.ForEach(c =&gt; c.Join());
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessSemaphore : IDisposable, IPassedByHandle<ProcessSemaphore>
{
    private const int IdleSlice = 250;

    private readonly SyncMemory _memory;

    /// <summary>Creates a semaphore in new shared memory.</summary>
    /// <param name="initialCount">The permits available at first (Python's <c>value</c>, 1 by default).</param>
    /// <param name="maxCount">The most permits there may be (Python's <c>BoundedSemaphore</c>): a release above it throws <see cref="SemaphoreFullException"/>. <see langword="null"/> for no bound.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative, or <paramref name="maxCount"/> is below 1 or below <paramref name="initialCount"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessSemaphore(int initialCount = 1, int? maxCount = null)
        : this(Create(initialCount, maxCount))
    {
    }

    /// <summary>Opens the semaphore named <paramref name="name"/>, or creates it, for processes that share nothing but the name (Python's and POSIX's named semaphores).</summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <param name="initialCount">The permits at first, when this call creates the semaphore (ignored when it exists, as <c>sem_open</c> does).</param>
    /// <param name="maxCount">The most permits, when this call creates the semaphore; <see langword="null"/> for no bound.</param>
    /// <remarks>
    /// The name is <c>/dev/shm/&lt;name&gt;</c>, shared by every process of the same user that opens it. Each process
    /// that opens it counts among its users until it disposes of it, and the last one removes the name, so nothing is
    /// left after normal exits. When every user was killed, the name stays until a process opens it again (which
    /// finds it as it was, a dead holder's lock taken over as usual) and disposes of it. A named object passed to a
    /// child travels as its memory, as an anonymous one does; the child is not one of the name's users.
    /// </remarks>
    /// <returns>This process's view of the semaphore.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> or <paramref name="maxCount"/> is out of range.</exception>
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessSemaphore"/>.</exception>
    public static ProcessSemaphore OpenOrCreate(string name, int initialCount = 1, int? maxCount = null)
    {
        CheckCounts(initialCount, maxCount);
        return new(SyncMemory.OpenOrCreate(name, SyncKinds.Semaphore, nameof(ProcessSemaphore), value: initialCount, bound: maxCount ?? 0));
    }

    private ProcessSemaphore(SyncMemory memory) => _memory = memory;

    /// <summary>Gets the permits available now, in all processes.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public int CurrentCount
    {
        get
        {
            _memory.BeginUse();
            try
            {
                return Volatile.Read(ref _memory.Value);
            }
            finally
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>Gets the most permits there may be, or <see langword="null"/> when the semaphore is not bounded.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public int? MaxCount
    {
        get
        {
            _memory.BeginUse();
            try
            {
                int bound = Volatile.Read(ref _memory.Bound);
                return bound > 0 ? bound : null;
            }
            finally
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>Blocks until a permit is available, takes it, and returns a scope that gives it back when disposed.</summary>
    /// <param name="cancellationToken">Stops waiting; no permit is then taken.</param>
    /// <returns>A scope whose <see cref="ProcessSemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public ProcessSemaphoreScope Acquire(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, Timeout.InfiniteTimeSpan, cancellationToken));
        return new ProcessSemaphoreScope(this);
    }

    /// <summary>Blocks until a permit is available or <paramref name="timeout"/> passes, and returns a scope that gives it back.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; no permit is then taken.</param>
    /// <returns>A scope whose <see cref="ProcessSemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="TimeoutException">No permit became available within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public ProcessSemaphoreScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        return SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, timeout, cancellationToken))
            ? new ProcessSemaphoreScope(this)
            : throw TimedOut(timeout);
    }

    /// <summary>Takes a permit if one is available now (Python's <c>acquire(block=False)</c>).</summary>
    /// <returns><see langword="true"/> if a permit was taken (give it back with <see cref="Release"/>).</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public bool TryAcquire()
    {
        _memory.BeginUse();
        try
        {
            return TryTake();
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a permit and takes it (Python's <c>acquire(timeout=...)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> tries once, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; no permit is then taken.</param>
    /// <returns><see langword="true"/> if a permit was taken (give it back with <see cref="Release"/>); <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        return SyncOrAsync.RunSync(AcquireCoreAsync(sync: true, timeout, cancellationToken));
    }

    /// <summary>Asynchronously waits for a permit, takes it, and returns a scope that gives it back when disposed.</summary>
    /// <param name="cancellationToken">Stops waiting; no permit is then taken.</param>
    /// <returns>A scope whose <see cref="ProcessSemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public async ValueTask<ProcessSemaphoreScope> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await AcquireCoreAsync(sync: false, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        return new ProcessSemaphoreScope(this);
    }

    /// <summary>Asynchronously waits up to <paramref name="timeout"/> for a permit and takes it.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting; no permit is then taken.</param>
    /// <returns><see langword="true"/> if a permit was taken (give it back with <see cref="Release"/>); <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public Task<bool> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        return AcquireCoreAsync(sync: false, timeout, cancellationToken).AsTask();
    }

    /// <summary>Gives back <paramref name="count"/> permits, waking processes that wait for them (Python's <c>release()</c>).</summary>
    /// <param name="count">How many permits to give back; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">A bounded semaphore would hold more than <see cref="MaxCount"/> permits (Python's <c>ValueError</c>); nothing was released.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the semaphore.</exception>
    public void Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _memory.BeginUse();
        try
        {
            ref int value = ref _memory.Value;
            int bound = Volatile.Read(ref _memory.Bound);
            while (true)
            {
                int current = Volatile.Read(ref value);
                long next = (long)current + count;
                if ((bound > 0 && next > bound) || next > int.MaxValue)
                {
                    throw new SemaphoreFullException(
                        $"Releasing {count} would give the semaphore {next:N0} permits, more than its maximum of {(bound > 0 ? bound : int.MaxValue):N0}: it was released more times than acquired. Nothing was released.");
                }
                if (Interlocked.CompareExchange(ref value, (int)next, current) == current)
                {
                    _memory.Changes.Publish();
                    return;
                }
            }
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Closes this process's view of the semaphore; the other processes keep theirs.</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        _memory.Dispose();
    }

    /// <summary>Describes the semaphore, as CPython's <c>repr</c> shows its value.</summary>
    /// <returns>For example <c>ProcessSemaphore (value=2/3)</c>.</returns>
    public override string ToString()
    {
        try
        {
            return MaxCount is int max ? $"ProcessSemaphore (value={CurrentCount}/{max})" : $"ProcessSemaphore (value={CurrentCount})";
        }
        catch (ObjectDisposedException)
        {
            return "ProcessSemaphore (disposed in this process)";
        }
    }

    /// <summary>Gets the semaphore's shared memory.</summary>
    System.Runtime.InteropServices.SafeHandle IPassedByHandle<ProcessSemaphore>.TransferHandle
    {
        get
        {
            _memory.ThrowIfDisposed();
            return _memory.Memory;
        }
    }

    /// <summary>Gets no state: the count and the bound are in the shared memory.</summary>
    byte[] IPassedByHandle<ProcessSemaphore>.TransferState => [];

    /// <summary>Maps the received shared memory as a semaphore.</summary>
    static ProcessSemaphore IPassedByHandle<ProcessSemaphore>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SyncMemory.Attach(handle, SyncKinds.Semaphore, nameof(ProcessSemaphore)));

    /// <summary>Releases one permit for a scope.</summary>
    internal void ReleaseOne() => Release();

    private static SyncMemory Create(int initialCount, int? maxCount)
    {
        CheckCounts(initialCount, maxCount);
        return SyncMemory.Create(SyncKinds.Semaphore, nameof(ProcessSemaphore), value: initialCount, bound: maxCount ?? 0);
    }

    private static void CheckCounts(int initialCount, int? maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        if (maxCount is int max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxCount));
            ArgumentOutOfRangeException.ThrowIfLessThan(max, initialCount, nameof(maxCount));
        }
    }

    private static TimeoutException TimedOut(TimeSpan timeout) =>
        new($"No permit of the process semaphore became free within {timeout}.");

    /// <summary>Takes a permit if the count is above zero: one compare-and-swap. The caller holds a use of the memory.</summary>
    private bool TryTake()
    {
        ref int value = ref _memory.Value;
        while (true)
        {
            int current = Volatile.Read(ref value);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref value, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Waits for a permit and takes it; returns <see langword="false"/> when the time ran out.</summary>
    private async ValueTask<bool> AcquireCoreAsync(bool sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(timeout);
        _memory.BeginUse();
        try
        {
            while (true)
            {
                _memory.ThrowIfDisposed();
                int seen = _memory.Changes.Read();
                if (TryTake())
                {
                    return true;
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return false;
                }
                await _memory.WaitForChangeAsync(sync, seen, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _memory.EndUse();
        }
    }
}
