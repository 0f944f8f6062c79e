using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A counting semaphore: Python's <c>threading.Semaphore</c>. It holds a count of permits; acquiring takes one
/// (waiting while there are none) and releasing gives permits back, with no upper limit.
/// </summary>
/// <remarks>
/// <para>
/// A semaphore has no owner: any thread may release, including one that never acquired (that raises the count, as in
/// Python). Because of that, Concur's deadlock detection never reports a cycle through a semaphore. Use
/// <see cref="BoundedSemaphore"/> when releasing more than was acquired is a bug you want reported.
/// </para>
/// <para>
/// Blocking and asynchronous waiters share one counter; neither kind is starved while permits are released, but the
/// order in which waiters are served is not guaranteed to be first-come first-served (Python guarantees none either).
/// </para>
/// <para>
/// Implementation: a wrapper over <see cref="SemaphoreSlim"/>, which already has these semantics (ownerless count,
/// timeouts, cancellation, one counter for sync and async waiters) and is heavily tested; Concur adds Python's
/// defaults, guard clauses, the <c>using</c> scope and diagnostics. All members are thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // At most two downloads at a time.
/// var slots = new CountingSemaphore(2, name: "downloads");
/// Parallel.For(0, 10, i =>
/// {
///     using (slots.Acquire())
///     {
///         Download(i);
///     }
/// });
///
/// // Asynchronously, with a timeout:
/// if (await slots.TryAcquireAsync(TimeSpan.FromSeconds(1)))
/// {
///     try { await DownloadAsync(); }
///     finally { slots.Release(); }
/// }
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public class CountingSemaphore
{
    private readonly SemaphoreCore _core;

    /// <summary>Initializes a semaphore with <paramref name="initialCount"/> permits.</summary>
    /// <param name="initialCount">The number of permits available at first. The default is 1, as in Python.</param>
    /// <param name="name">An optional name shown in diagnostics and exception messages. The default is none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public CountingSemaphore(int initialCount = 1, string? name = null)
        : this(nameof(CountingSemaphore), initialCount, int.MaxValue, name)
    {
    }

    /// <summary>Initializes the semaphore for a derived kind with its own upper bound.</summary>
    /// <param name="kind">The type name used in messages.</param>
    /// <param name="initialCount">The number of permits available at first.</param>
    /// <param name="maxCount">The most permits there can ever be.</param>
    /// <param name="name">A name for diagnostics.</param>
    private protected CountingSemaphore(string kind, int initialCount, int maxCount, string? name)
    {
        if (initialCount < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(initialCount),
                initialCount,
                "A semaphore's initial count must be zero or positive (it is the number of permits available at first).");
        }
        _core = new SemaphoreCore(this, kind, initialCount, maxCount, name);
    }

    /// <summary>Gets the engine shared with derived kinds.</summary>
    private protected SemaphoreCore Core => _core;

    /// <summary>Gets the name given at construction, or <see langword="null"/>.</summary>
    public string? Name => _core.Name;

    /// <summary>Gets the number of permits available now (a snapshot: other threads may change it at any moment).</summary>
    public int CurrentCount => _core.CurrentCount;

    /// <summary>Takes one permit, blocking while none is available; dispose the returned scope to release it.</summary>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A scope whose <see cref="SemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled before a permit was taken (also when it was cancelled on entry).
    /// </exception>
    public SemaphoreScope Acquire(CancellationToken cancellationToken = default) => _core.Acquire(cancellationToken);

    /// <summary>
    /// Takes one permit, waiting at most <paramref name="timeout"/> for one; dispose the returned scope to release it.
    /// Use <see cref="TryAcquire(TimeSpan, CancellationToken)"/> when running out of time is not an error.
    /// </summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A scope whose <see cref="SemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">No permit became available within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken (also when it was cancelled on entry).</exception>
    public SemaphoreScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.Acquire(timeout, cancellationToken);

    /// <summary>Takes one permit if one is available right now, without waiting (Python's <c>acquire(blocking=False)</c>).</summary>
    /// <returns><see langword="true"/> if a permit was taken (release it with <see cref="Release"/>); otherwise <see langword="false"/>.</returns>
    public bool TryAcquire() => _core.TryAcquire();

    /// <summary>Takes one permit, waiting at most <paramref name="timeout"/> for one (Python's <c>acquire(timeout=...)</c>).</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns><see langword="true"/> if a permit was taken (release it with <see cref="Release"/>); <see langword="false"/> if the timeout elapsed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was taken.</exception>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.TryAcquire(timeout, cancellationToken);

    /// <summary>Takes one permit, waiting asynchronously while none is available; dispose the returned scope to release it.</summary>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes with a scope whose <see cref="SemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="OperationCanceledException">The returned task is cancelled if <paramref name="cancellationToken"/> is cancelled before a permit was taken.</exception>
    public ValueTask<SemaphoreScope> AcquireAsync(CancellationToken cancellationToken = default) =>
        _core.AcquireAsync(cancellationToken);

    /// <summary>
    /// Takes one permit, waiting asynchronously at most <paramref name="timeout"/> for one; dispose the returned scope
    /// to release it. Use <see cref="TryAcquireAsync(TimeSpan, CancellationToken)"/> when running out of time is not an error.
    /// </summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes with a scope whose <see cref="SemaphoreScope.Dispose"/> releases the permit once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">The returned task faults if no permit became available within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The returned task is cancelled if <paramref name="cancellationToken"/> is cancelled before a permit was taken.</exception>
    public ValueTask<SemaphoreScope> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.AcquireAsync(timeout, cancellationToken);

    /// <summary>Takes one permit, waiting asynchronously at most <paramref name="timeout"/> for one.</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes with <see langword="true"/> if a permit was taken (release it with <see cref="Release"/>), or <see langword="false"/> if the timeout elapsed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException">The returned task is cancelled if <paramref name="cancellationToken"/> is cancelled before a permit was taken.</exception>
    public Task<bool> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.TryAcquireAsync(timeout, cancellationToken);

    /// <summary>
    /// Gives <paramref name="count"/> permits back, waking up to that many waiters (Python's <c>release(n)</c>). Any
    /// thread may release; releasing more than was acquired raises the count.
    /// </summary>
    /// <param name="count">How many permits to release. The default is 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">The count would pass its bound (<see cref="int.MaxValue"/>, or a <see cref="BoundedSemaphore"/>'s initial count); nothing was released.</exception>
    public void Release(int count = 1) => _core.Release(count);

    /// <summary>
    /// Describes the semaphore's state now, as CPython's <c>repr</c> shows its value: the kind, the name and the count
    /// of free permits, with the bound of a <see cref="BoundedSemaphore"/>.
    /// </summary>
    /// <returns>For example <c>CountingSemaphore 'downloads' (count 2)</c> or <c>BoundedSemaphore 'pool' (count 2 of 4)</c>.</returns>
    public override string ToString() => _core.ToString();
}
