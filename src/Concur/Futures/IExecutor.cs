namespace Concur;

/// <summary>
/// Runs functions asynchronously on a set of workers and hands back each result as a <see cref="Task{TResult}"/>:
/// the counterpart of Python's <c>concurrent.futures.Executor</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every executor in Concur implements this interface (<see cref="ThreadPoolExecutor"/> runs on dedicated threads;
/// the process pool runs in warm worker processes), so calling code does not change when the work moves from
/// threads to processes.
/// </para>
/// <para>
/// All members are thread-safe. After <see cref="Shutdown"/> (or disposal) no new work is accepted:
/// <c>Submit</c> and <c>Map</c> throw <see cref="InvalidOperationException"/>.
/// </para>
/// </remarks>
public interface IExecutor : IDisposable, IAsyncDisposable
{
    /// <summary>Gets the maximum number of workers that run submitted work at the same time.</summary>
    int MaxWorkers { get; }

    /// <summary>Gets a value indicating whether <see cref="Shutdown"/> has been called (or the executor disposed).</summary>
    bool IsShutdown { get; }

    /// <summary>Schedules <paramref name="function"/> to run on a worker.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="cancellationToken">
    /// Cancels the work while it is still queued; the returned task is then cancelled and the function never runs.
    /// Whether running work is stopped depends on the executor.
    /// </param>
    /// <returns>A task that completes with the function's result, or faults with the exception it threw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task<TResult> Submit<TResult>(Func<TResult> function, CancellationToken cancellationToken = default);

    /// <summary>Schedules <paramref name="function"/>(<paramref name="argument"/>) to run on a worker.</summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="argument">The argument passed to <paramref name="function"/>.</param>
    /// <param name="cancellationToken">Cancels the work while it is still queued.</param>
    /// <returns>A task that completes with the function's result, or faults with the exception it threw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, CancellationToken cancellationToken = default);

    /// <summary>Schedules <paramref name="action"/> to run on a worker.</summary>
    /// <param name="action">The action to run.</param>
    /// <param name="cancellationToken">Cancels the work while it is still queued.</param>
    /// <returns>A task that completes when the action has run, or faults with the exception it threw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task Submit(Action action, CancellationToken cancellationToken = default);

    /// <summary>Schedules the async <paramref name="function"/> to run on a worker, which awaits its task.</summary>
    /// <remarks>
    /// <para>
    /// C# picks this overload for an async lambda or a method that returns <see cref="Task{TResult}"/>, so the
    /// returned task completes with the function's result, not with its task. The worker stays with the function
    /// until its task completes, so <see cref="MaxWorkers"/> bounds how many async functions are in flight, as for
    /// synchronous ones.
    /// </para>
    /// <para>
    /// The returned task faults with the exception the function's task faulted with (unwrapped, as <c>await</c>
    /// throws it). It ends cancelled when <paramref name="cancellationToken"/> cancels it; a function whose task is
    /// cancelled by a token of its own faults it with that <see cref="OperationCanceledException"/>, as a synchronous
    /// function that throws one does.
    /// </para>
    /// </remarks>
    /// <example>
    /// <code>
    /// int r = await executor.Submit(async () => { await Task.Delay(10); return 42; });
    /// </code>
    /// </example>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="cancellationToken">
    /// Cancels the work while it is still queued; the returned task is then cancelled and the function never runs.
    /// Whether running work is stopped depends on the executor.
    /// </param>
    /// <returns>A task that completes with the result of the function's task, or faults with the exception it faulted with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task<TResult> Submit<TResult>(Func<Task<TResult>> function, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules the async <paramref name="function"/>(<paramref name="argument"/>) to run on a worker, which awaits
    /// its task.
    /// </summary>
    /// <remarks>Awaiting, worker occupancy and errors behave as in <see cref="Submit{TResult}(Func{Task{TResult}}, CancellationToken)"/>.</remarks>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="argument">The argument passed to <paramref name="function"/>.</param>
    /// <param name="cancellationToken">Cancels the work while it is still queued.</param>
    /// <returns>A task that completes with the result of the function's task, or faults with the exception it faulted with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task<TResult> Submit<T, TResult>(Func<T, Task<TResult>> function, T argument, CancellationToken cancellationToken = default);

    /// <summary>Schedules the async <paramref name="function"/>, which returns no value, to run on a worker, which awaits its task.</summary>
    /// <remarks>
    /// C# picks this overload, not <see cref="Submit(Action, CancellationToken)"/>, for an async lambda without a
    /// result. Awaiting, worker occupancy and errors behave as in
    /// <see cref="Submit{TResult}(Func{Task{TResult}}, CancellationToken)"/>.
    /// </remarks>
    /// <param name="function">The async function to run.</param>
    /// <param name="cancellationToken">Cancels the work while it is still queued.</param>
    /// <returns>A task that completes when the function's task has completed, or faults with the exception it faulted with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    Task Submit(Func<Task> function, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="function"/> to every item of <paramref name="source"/> on the workers and yields the
    /// results in input order, like Python's <c>Executor.map</c>.
    /// </summary>
    /// <remarks>
    /// The sequence is lazy: nothing is submitted until enumeration starts, and at most
    /// <paramref name="bufferSize"/> items are in flight at once, so an endless source is fine. If an item's
    /// function throws, enumeration rethrows that exception when it reaches the item. Abandoning the enumeration
    /// cancels the items not yet started. Arguments are checked at the call, not when enumeration starts.
    /// </remarks>
    /// <typeparam name="T">The type of the input items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The input items.</param>
    /// <param name="timeout">
    /// The most time the whole enumeration may take, counted from its start; <see langword="null"/> (the default)
    /// means no limit. When it runs out, enumeration throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="chunkSize">
    /// How many items travel to a worker together; 0 (the default) lets the executor choose.
    /// </param>
    /// <param name="bufferSize">
    /// The most items submitted but not yet yielded (counted in chunks when <paramref name="chunkSize"/> is above 1);
    /// 0 (the default) lets the executor choose (a small multiple of <see cref="MaxWorkers"/>).
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the items not yet started.</param>
    /// <returns>The results, in the order of <paramref name="source"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is negative, or <paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/> or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when <paramref name="timeout"/> runs out.</exception>
    IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="function"/> to every item of <paramref name="source"/> on the workers and yields the
    /// results as they complete, like Python's <c>Pool.imap_unordered</c>.
    /// </summary>
    /// <remarks>Laziness, buffering, timeout and errors behave as in <see cref="Map"/>.</remarks>
    /// <typeparam name="T">The type of the input items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The input items.</param>
    /// <param name="timeout">The most time the whole enumeration may take; <see langword="null"/> means no limit.</param>
    /// <param name="chunkSize">How many items travel to a worker together; 0 lets the executor choose.</param>
    /// <param name="bufferSize">The most items submitted but not yet yielded; 0 lets the executor choose.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the items not yet started.</param>
    /// <returns>The results, in completion order.</returns>
    IEnumerable<TResult> MapUnordered<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops accepting work, like Python's <c>Executor.shutdown</c>. Calling it more than once is harmless.
    /// </summary>
    /// <param name="wait">
    /// <see langword="true"/> (the default) to return only after all accepted work has finished and the workers
    /// have exited; <see langword="false"/> to return at once.
    /// </param>
    /// <param name="cancelPending">
    /// <see langword="true"/> to cancel the work that has not started yet (its tasks end cancelled);
    /// <see langword="false"/> (the default) to let it run.
    /// </param>
    void Shutdown(bool wait = true, bool cancelPending = false);

    /// <summary>
    /// Stops accepting work and completes when all accepted work has finished and the workers have exited.
    /// </summary>
    /// <param name="cancelPending"><see langword="true"/> to cancel the work that has not started yet.</param>
    /// <returns>A task that completes when the executor has shut down.</returns>
    Task ShutdownAsync(bool cancelPending = false);
}
