using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A semaphore that refuses to be released past its initial count: Python's <c>threading.BoundedSemaphore</c>.
/// Releasing a permit that was never acquired is almost always a bug; this semaphore reports it with a
/// <see cref="SemaphoreFullException"/> instead of silently raising the count.
/// </summary>
/// <remarks>
/// <para>
/// Like <see cref="CountingSemaphore"/> it has no owner: any thread may release a permit another thread acquired, so
/// a bounded semaphore of 1 serves as the binary semaphore for which Python code releases a <c>Lock</c> from another
/// thread. Concur's deadlock detection never reports a cycle through a semaphore.
/// </para>
/// <para>
/// <see cref="Release"/> of several permits is all or nothing: if it would pass the bound, nothing is released.
/// </para>
/// <para>
/// Implementation: a wrapper over <see cref="SemaphoreSlim"/> with its maximum count set to the initial count, which
/// gives exactly this behaviour (an ownerless count, one counter for blocking and asynchronous waiters, a whole
/// release refused when it would exceed the maximum) and is heavily tested. All members are thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var pool = new BoundedSemaphore(4, name: "connections");
/// using (pool.Acquire())
/// {
///     UseConnection();
/// }
/// pool.Release(); // throws SemaphoreFullException: the permit was already given back
/// </code>
/// </example>
public sealed class BoundedSemaphore
{
    private readonly SemaphoreCore _core;

    /// <summary>Initializes a bounded semaphore with <paramref name="initialCount"/> permits, which is also its upper bound.</summary>
    /// <param name="initialCount">The number of permits available at first and the most there can ever be. The default is 1, as in Python.</param>
    /// <param name="name">An optional name shown in diagnostics and exception messages. The default is none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public BoundedSemaphore(int initialCount = 1, string? name = null)
    {
        if (initialCount < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(initialCount),
                initialCount,
                "A semaphore's initial count must be zero or positive (it is the number of permits available at first).");
        }
        _core = new SemaphoreCore(nameof(BoundedSemaphore), initialCount, initialCount, name);
    }

    /// <summary>Gets the name given at construction, or <see langword="null"/>.</summary>
    public string? Name => _core.Name;

    /// <summary>Gets the number of permits available now (a snapshot: other threads may change it at any moment).</summary>
    public int CurrentCount => _core.CurrentCount;

    /// <summary>Gets the bound: the initial count, which <see cref="CurrentCount"/> can never exceed.</summary>
    public int MaxCount => _core.MaxCount;

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
    /// thread may release. The release is all or nothing: if it would raise <see cref="CurrentCount"/> past
    /// <see cref="MaxCount"/>, nothing is released and <see cref="SemaphoreFullException"/> is thrown.
    /// </summary>
    /// <param name="count">How many permits to release. The default is 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">
    /// Releasing <paramref name="count"/> permits would raise the count past <see cref="MaxCount"/> (more permits
    /// released than were acquired); nothing was released. Python raises <c>ValueError</c> here.
    /// </exception>
    public void Release(int count = 1) => _core.Release(count);

    /// <summary>Returns the semaphore's kind, name and current count, for diagnostics.</summary>
    /// <returns>For example <c>BoundedSemaphore 'connections' (count 4)</c>.</returns>
    public override string ToString() => _core.ToString();
}
