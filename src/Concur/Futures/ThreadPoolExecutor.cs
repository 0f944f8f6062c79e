using Concur.Executors.Internal;

namespace Concur;

/// <summary>
/// Runs work on a pool of dedicated threads of its own: the counterpart of Python's
/// <c>concurrent.futures.ThreadPoolExecutor</c>.
/// </summary>
/// <remarks>
/// <para>
/// Threads are started lazily, as in CPython: a new thread starts only when work arrives and no thread is idle,
/// up to <see cref="MaxWorkers"/>. They are background threads (they do not keep the process alive) named
/// <c>ThreadPoolExecutor-{n}_{i}</c>, where <c>n</c> numbers executors in creation order from 0 and <c>i</c> numbers
/// the executor's threads from 0, or <c>{threadNamePrefix}_{i}</c> when a prefix is given. The executor does not
/// use the .NET thread pool, so blocking work cannot starve it and it cannot starve the rest of the process.
/// </para>
/// <para>
/// Tasks complete asynchronously: code awaiting a result never runs on a worker thread.
/// </para>
/// <para>
/// A <see cref="CancellationToken"/> cancels work that is still queued. Work that has started is not interrupted:
/// a .NET thread cannot be killed safely, so a function that must be stopped has to observe a token itself. For hard
/// timeouts that stop runaway work, run it in a process pool, whose workers can be killed.
/// </para>
/// <para>
/// An async function (<c>Func&lt;Task&lt;TResult&gt;&gt;</c>, <c>Func&lt;T, Task&lt;TResult&gt;&gt;</c>,
/// <c>Func&lt;Task&gt;</c>) starts on a worker thread, and that thread waits for its task: the worker stays occupied
/// until the function completes, so at most <see cref="MaxWorkers"/> functions, synchronous or async, are in flight,
/// as in a process pool. The code after each <c>await</c> runs where the awaited operation completes it (normally
/// the .NET thread pool), as in any code without a synchronization context.
/// </para>
/// <para>
/// Dispose the executor (<c>using</c> / <c>await using</c>) to wait for its work and stop its threads. One that is
/// dropped without disposal is shut down without waiting when the garbage collector finalizes it, so its threads
/// do not leak.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
/// <example>
/// <code>
/// static int Square(int x) => x * x;
/// await using var pool = new ThreadPoolExecutor(maxWorkers: 2);
/// int nine = await pool.Submit(Square, 3);
/// int[] squares = pool.Map(Square, Enumerable.Range(0, 10)).ToArray();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadPoolExecutor : IExecutor
{
    private static int s_executorCounter = -1;

    private readonly ThreadPoolEngine _engine;

    /// <summary>Initializes a new executor. No thread starts until work is submitted.</summary>
    /// <param name="maxWorkers">
    /// The most threads the executor starts; <see langword="null"/> (the default) means
    /// <c>min(32, Environment.ProcessorCount + 4)</c>, as in Python 3.8 and later.
    /// </param>
    /// <param name="threadNamePrefix">
    /// The prefix of the worker threads' names (<c>{prefix}_{i}</c>); <see langword="null"/> (the default) names them
    /// <c>ThreadPoolExecutor-{n}_{i}</c>.
    /// </param>
    /// <param name="initializer">
    /// Runs once on each worker thread when it starts, before any work; <see langword="null"/> (the default) for none.
    /// If it throws, the executor is broken: queued and later work faults with <see cref="BrokenExecutorException"/>,
    /// whose <see cref="Exception.InnerException"/> is the initializer's exception.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
    {
        if (maxWorkers is <= 0)
        {
            GC.SuppressFinalize(this); // Nothing to shut down.
            throw new ArgumentOutOfRangeException(
                nameof(maxWorkers),
                maxWorkers,
                "maxWorkers must be at least 1; pass null for the default of min(32, processors + 4).");
        }
        var number = Interlocked.Increment(ref s_executorCounter);
        _engine = new ThreadPoolEngine(
            maxWorkers ?? DefaultMaxWorkers,
            threadNamePrefix ?? $"ThreadPoolExecutor-{number}",
            initializer);
    }

    /// <summary>
    /// Shuts down an executor that was dropped without being disposed, without waiting: accepted work still runs,
    /// then the worker threads exit (as CPython does when an executor is garbage-collected).
    /// </summary>
    ~ThreadPoolExecutor()
    {
        // Null if the constructor threw after the object was allocated.
        _engine?.Shutdown(wait: false);
    }

    /// <summary>Gets the default <see cref="MaxWorkers"/>: <c>min(32, Environment.ProcessorCount + 4)</c>.</summary>
    public static int DefaultMaxWorkers => Math.Min(32, Environment.ProcessorCount + 4);

    /// <inheritdoc/>
    public int MaxWorkers => _engine.MaxWorkers;

    private int DefaultBufferSize => Math.Max(64, 4 * MaxWorkers);

    /// <inheritdoc/>
    public bool IsShutdown => _engine.IsShutdown;

    /// <summary>Gets a value indicating whether the executor is broken (its initializer threw).</summary>
    public bool IsBroken => _engine.IsBroken;

    /// <summary>Gets the number of worker threads started so far (they start lazily, up to <see cref="MaxWorkers"/>).</summary>
    public int ThreadCount => _engine.ThreadCount;

    /// <inheritdoc/>
    /// <remarks>Running work is not interrupted by <paramref name="cancellationToken"/>; see the class remarks.</remarks>
    public Task<TResult> Submit<TResult>(Func<TResult> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Enqueue(new FuncWorkItem<TResult>(function), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Running work is not interrupted by <paramref name="cancellationToken"/>; see the class remarks.</remarks>
    public Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Enqueue(new FuncWorkItem<T, TResult>(function, argument), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Running work is not interrupted by <paramref name="cancellationToken"/>; see the class remarks.</remarks>
    public Task Submit(Action action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Enqueue(new ActionWorkItem(action), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The function starts on a worker thread, which then waits for its task (see the class remarks). Running work is
    /// not interrupted by <paramref name="cancellationToken"/>; a function that captures the token and is cancelled by
    /// it ends the returned task cancelled, as <see cref="Task.Run(Func{Task}, CancellationToken)"/> does.
    /// </remarks>
    public Task<TResult> Submit<TResult>(Func<Task<TResult>> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Enqueue(new FuncWorkItem<TResult>(() => Await(function())), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The function starts on a worker thread, which then waits for its task (see the class remarks).</remarks>
    public Task<TResult> Submit<T, TResult>(Func<T, Task<TResult>> function, T argument, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Enqueue(new FuncWorkItem<TResult>(() => Await(function(argument))), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The function starts on a worker thread, which then waits for its task (see the class remarks).</remarks>
    public Task Submit(Func<Task> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Enqueue(new ActionWorkItem(() => Await(function())), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The sequence is lazy: nothing is submitted until enumeration starts. <paramref name="chunkSize"/> 0 means 1
    /// (threads share memory, so batching rarely pays); with a larger chunk size <paramref name="bufferSize"/> counts
    /// chunks. <paramref name="bufferSize"/> 0 means <c>max(64, 4 * MaxWorkers)</c>: enough that the consumer rarely
    /// waits for a wake-up per item, small enough to bound memory for an endless source. Disposing the enumerator
    /// early cancels the items that have not started. An item that throws ends its chunk: every result before it is
    /// yielded, then its exception is thrown, as without chunks (the rest of its chunk does not run).
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        var (chunk, buffer) = ValidateMap(function, source, timeout, chunkSize, bufferSize);
        return chunk == 1
            ? MapPipeline.Ordered(source, (item, token) => SubmitItem(function, item, token), buffer, timeout, cancellationToken)
            : MapPipeline.OrderedChunks(source, chunk, (items, token) => SubmitChunk(function, items, token), buffer, timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Defaults as in <see cref="Map"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is negative, or <paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/> or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public IEnumerable<TResult> MapUnordered<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        var (chunk, buffer) = ValidateMap(function, source, timeout, chunkSize, bufferSize);
        return chunk == 1
            ? MapPipeline.Unordered(source, (item, token) => SubmitItem(function, item, token), buffer, timeout, cancellationToken)
            : MapPipeline.UnorderedChunks(source, chunk, (items, token) => SubmitChunk(function, items, token), buffer, timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="wait"/>, a call from one of this executor's own worker threads does not wait for that
    /// thread (it cannot wait for itself).
    /// </remarks>
    public void Shutdown(bool wait = true, bool cancelPending = false) => _engine.Shutdown(wait, cancelPending);

    /// <inheritdoc/>
    public Task ShutdownAsync(bool cancelPending = false) => _engine.ShutdownAsync(cancelPending);

    /// <summary>
    /// Describes the executor's state now: its name, whether it runs, is shut down or broken, its worker threads (live,
    /// out of <see cref="MaxWorkers"/>, and how many of them are idle) and the work queued for them.
    /// </summary>
    /// <returns>For example <c>ThreadPoolExecutor 'ThreadPoolExecutor-0' (running, 2 of 4 threads, 1 idle, 5 queued)</c>.</returns>
    /// <remarks>A snapshot read without stopping the workers: the parts may come from slightly different moments.</remarks>
    public override string ToString()
    {
        var state = _engine.IsBroken ? "broken" : _engine.IsShutdown ? "shut down" : "running";
        return $"ThreadPoolExecutor '{_engine.Name}' ({state}, {_engine.LiveThreadCount} of {MaxWorkers} threads, " +
            $"{_engine.IdleCount} idle, {_engine.QueuedCount} queued)";
    }

    /// <summary>Shuts down and waits for all accepted work to finish: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose()
    {
        _engine.Shutdown(wait: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down and completes when all accepted work has finished: <c>ShutdownAsync()</c>.</summary>
    /// <returns>A task that completes when the workers have exited.</returns>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new ValueTask(_engine.ShutdownAsync());
    }

    private (int ChunkSize, int BufferSize) ValidateMap<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout,
        int chunkSize,
        int bufferSize)
    {
        MapArguments.Validate(function, source, timeout, chunkSize, bufferSize);
        _engine.ThrowIfShutdown();
        return (chunkSize == 0 ? 1 : chunkSize, bufferSize == 0 ? DefaultBufferSize : bufferSize);
    }

    // Instance methods on purpose: the Map pipelines' lambdas capture this executor, so it stays reachable (and is
    // not finalized, which would shut it down) while an enumeration is in progress. Map's tasks never reach user
    // code, so they complete their (internal) continuations inline: no thread-pool hop per item.
    private Task<TResult> SubmitItem<T, TResult>(Func<T, TResult> function, T item, CancellationToken token) =>
        Enqueue(new FuncWorkItem<T, TResult>(function, item, userVisible: false), token);

    private Task<ChunkOutcome<TResult>> SubmitChunk<T, TResult>(Func<T, TResult> function, T[] items, CancellationToken token) =>
        Enqueue(new ChunkWorkItem<T, TResult>(function, items), token);

    /// <summary>
    /// Waits on the worker thread for an async function's task (the worker stays occupied until it completes) and
    /// returns its result, or throws what it failed with, unwrapped as <c>await</c> throws it: the work item then
    /// reports it as it reports a synchronous throw (cancelled only by the caller's own token).
    /// </summary>
    private static TResult Await<TResult>(Task<TResult>? task) => (task ?? throw NullTask()).GetAwaiter().GetResult();

    /// <summary>Waits on the worker thread for an async function's task (see <see cref="Await{TResult}"/>).</summary>
    private static void Await(Task? task) => (task ?? throw NullTask()).GetAwaiter().GetResult();

    private static InvalidOperationException NullTask() => new(
        "The async function returned null instead of a task, so there is nothing to await. Return a task (an async " +
        "method or lambda always does), or Task.CompletedTask / Task.FromResult(value).");

    private Task<TResult> Enqueue<TResult>(ThreadWorkItem<TResult> item, CancellationToken cancellationToken)
    {
        var task = _engine.Enqueue(item, cancellationToken);
        GC.KeepAlive(this); // Not finalized (and so shut down) while a submission is under way.
        return task;
    }
}
