namespace Concur.Threading.Internal;

/// <summary>
/// The engine behind <see cref="CountingSemaphore"/> and <see cref="BoundedSemaphore"/>: a
/// <see cref="SemaphoreSlim"/> plus the guard clauses and messages that give it Python's semantics.
/// </summary>
/// <remarks>
/// <see cref="SemaphoreSlim"/> already has the semantics Python's semaphores need: a counter with no owner (any thread
/// may release), blocking and asynchronous waiters on one counter, timeouts, cancellation, and an optional maximum
/// that refuses a whole <c>Release(n)</c> (changing nothing) when it would pass the maximum. It is heavily used and
/// tested, and an uncontended Wait + Release costs two short monitor sections (about 24 ns, docs/benchmarks.md), so
/// Concur wraps it rather than reimplementing it. Its waiter order is not strictly first-come first-served; Python
/// promises no order either.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "SemaphoreSlim only needs disposing once its AvailableWaitHandle was created, which Concur never does.")]
internal sealed class SemaphoreCore
{
    private readonly SemaphoreSlim _slim;
    private readonly string _kind;

    public SemaphoreCore(CountingSemaphore semaphore, string kind, int initialCount, int maxCount, string? name)
    {
        Semaphore = semaphore;
        _kind = kind;
        // SemaphoreSlim needs a positive maximum; a bound of 0 (Python's BoundedSemaphore(0)) refuses every release below.
        _slim = new SemaphoreSlim(initialCount, Math.Max(maxCount, 1));
        Name = name;
        MaxCount = maxCount;
    }

    /// <summary>Gets the public semaphore this engine serves (what <see cref="SemaphoreScope.Semaphore"/> shows).</summary>
    public CountingSemaphore Semaphore { get; }

    public string? Name { get; }

    public int MaxCount { get; }

    public int CurrentCount => _slim.CurrentCount;

    public SemaphoreScope Acquire(CancellationToken cancellationToken)
    {
        _slim.Wait(cancellationToken);
        return new SemaphoreScope(this);
    }

    public SemaphoreScope Acquire(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquire(timeout, cancellationToken) ? new SemaphoreScope(this) : throw TimedOut(timeout);

    public bool TryAcquire() => _slim.Wait(0, CancellationToken.None);

    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return _slim.Wait(timeout, cancellationToken);
    }

    public ValueTask<SemaphoreScope> AcquireAsync(CancellationToken cancellationToken)
    {
        var wait = _slim.WaitAsync(cancellationToken);
        // A free permit completes the wait synchronously: hand the scope back without an async state machine.
        return wait.IsCompletedSuccessfully ? new ValueTask<SemaphoreScope>(new SemaphoreScope(this)) : AwaitScope(wait);
    }

    public ValueTask<SemaphoreScope> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        var wait = _slim.WaitAsync(timeout, cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            return wait.Result
                ? new ValueTask<SemaphoreScope>(new SemaphoreScope(this))
                : ValueTask.FromException<SemaphoreScope>(TimedOut(timeout));
        }
        return AwaitScope(wait, timeout);
    }

    private async ValueTask<SemaphoreScope> AwaitScope(Task wait)
    {
        await wait.ConfigureAwait(false);
        return new SemaphoreScope(this);
    }

    private async ValueTask<SemaphoreScope> AwaitScope(Task<bool> wait, TimeSpan timeout) =>
        await wait.ConfigureAwait(false) ? new SemaphoreScope(this) : throw TimedOut(timeout);

    private TimeoutException TimedOut(TimeSpan timeout) =>
        new($"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting for a permit of {Describe()}.");

    public Task<bool> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return _slim.WaitAsync(timeout, cancellationToken);
    }

    public void Release(int count)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count),
                count,
                "The release count must be at least 1. To release several permits at once pass how many, e.g. Release(3).");
        }
        try
        {
            if (MaxCount == 0)
            {
                throw new SemaphoreFullException();
            }
            _slim.Release(count);
        }
        catch (SemaphoreFullException ex)
        {
            throw new SemaphoreFullException(
                $"{Describe()}: releasing {count} would raise the count from {_slim.CurrentCount} past its maximum of {MaxCount}; " +
                "nothing was released. Release only permits that were acquired (each Acquire is matched by one Release).",
                ex);
        }
    }

    public string Describe() => Name is null ? _kind : $"{_kind} '{Name}'";

    /// <summary>
    /// The kind, name and count, as CPython's <c>repr</c> shows a semaphore's value (<c>value=2</c>, or
    /// <c>value=2/4</c> for a bounded one): <c>CountingSemaphore 'downloads' (count 2)</c>,
    /// <c>BoundedSemaphore 'pool' (count 2 of 4)</c>.
    /// </summary>
    public override string ToString() => MaxCount == int.MaxValue
        ? $"{Describe()} (count {CurrentCount})"
        : $"{Describe()} (count {CurrentCount} of {MaxCount})";
}
