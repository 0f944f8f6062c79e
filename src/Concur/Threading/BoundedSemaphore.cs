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
/// <see cref="CountingSemaphore.Release(int)"/> of several permits is all or nothing: if it would pass the bound, nothing is released.
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
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class BoundedSemaphore : CountingSemaphore
{
    /// <summary>Initializes a bounded semaphore with <paramref name="initialCount"/> permits, which is also its upper bound.</summary>
    /// <param name="initialCount">The number of permits available at first and the most there can ever be. The default is 1, as in Python.</param>
    /// <param name="name">An optional name shown in diagnostics and exception messages. The default is none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public BoundedSemaphore(int initialCount = 1, string? name = null)
        : base(nameof(BoundedSemaphore), initialCount, initialCount, name)
    {
    }

    /// <summary>Gets the bound: the initial count, which <see cref="CountingSemaphore.CurrentCount"/> can never exceed.</summary>
    public int MaxCount => Core.MaxCount;
}
