using Concur.Cluster.Internal;
using Concur.Executors.Internal;
using Concur.Processes.Internal;

namespace Concur;

/// <summary>
/// Runs functions on the nodes of a cluster of machines and hands back each result as a <see cref="Task{TResult}"/>:
/// the same <c>Submit</c>/<c>Map</c> calls as <see cref="ProcessPoolExecutor"/>, spread over the worker processes of
/// every node of an Orleans cluster. Change the constructor, not the calling code.
/// </summary>
/// <remarks>
/// <para>
/// What can be sent, and how values travel, is exactly as for <see cref="ProcessPoolExecutor"/> (the same function
/// references and payloads, inside Concur's own Orleans messages, so user types need no Orleans code generation).
/// Each node runs what it receives in a local process pool of its own (one per executor), so a hard per-task timeout
/// kills a runaway task, a crashing task fails only itself, and <c>maxTasksPerChild</c> recycles workers, as locally.
/// </para>
/// <para>
/// Scheduling: tasks wait in one queue in this process and go to a node only when one of its workers is free, so
/// work spreads over every node, a node that joins gets work at once, and queued work is never lost. A node that dies
/// mid-task (or stops answering for <see cref="ClusterExecutorOptions.NodeLossTimeout"/>) fails only the tasks it was
/// running, with a <see cref="NodeLostException"/> naming it, or runs them again elsewhere when
/// <see cref="ClusterExecutorOptions.RetryOnNodeLoss"/> is set. Delivery is otherwise at-most-once.
/// </para>
/// <para>
/// <c>new ClusterExecutor()</c> starts an embedded cluster of node processes on this machine (development clustering
/// on loopback), so everything works on one machine; <see cref="ClusterExecutorOptions.Redis"/> joins a real cluster
/// (docs/cluster.md). Creation returns at once; work waits until the first node is ready.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// static int Square(int x) => x * x;
/// await using var cluster = new ClusterExecutor(options: new() { Redis = "redis1:6379" });
/// int nine = await cluster.Submit(Square, 3);
/// </code>
/// </example>
public sealed class ClusterExecutor : IExecutor
{
    private readonly ClusterEngine _engine;

    /// <summary>Starts an executor on a cluster: the embedded one by default, or the one <paramref name="options"/> names.</summary>
    /// <param name="maxWorkers">
    /// The most tasks running at once, at least 1; <see langword="null"/> (the default) means every worker of every
    /// node (it grows as nodes join).
    /// </param>
    /// <param name="initializer">A function run once in each worker process (on every node) before its first task; if it throws, the executor is broken.</param>
    /// <param name="maxTasksPerChild">How many tasks a worker process runs before it is replaced, at least 1; <see langword="null"/> for no limit.</param>
    /// <param name="options">Where the nodes are and how their loss is treated; <see langword="null"/> for an embedded cluster of 2 nodes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxTasksPerChild"/> is 0 or negative, or <see cref="ClusterExecutorOptions.LocalNodes"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="initializer"/> cannot be sent to a node.</exception>
    public ClusterExecutor(int? maxWorkers = null, Action? initializer = null, int? maxTasksPerChild = null, ClusterExecutorOptions? options = null)
    {
        ClusterExecutorOptions settings = options ?? new ClusterExecutorOptions();
        if (settings.LocalNodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), settings.LocalNodes, "ClusterExecutorOptions.LocalNodes must be at least 1.");
        }
        _engine = new ClusterEngine(CheckWorkers(maxWorkers), Spec(maxWorkers, initializer, maxTasksPerChild), settings, () => ClusterClients.ConnectAsync(settings));
    }

    /// <summary>Starts an executor on the cluster an Orleans client of the application is connected to (the application keeps owning the client).</summary>
    /// <param name="client">A connected client of a cluster whose silos are Concur nodes (<see cref="ConcurNodeHosting.UseConcurNode"/>).</param>
    /// <param name="maxWorkers">The most tasks running at once, at least 1; <see langword="null"/> means every worker of every node.</param>
    /// <param name="initializer">A function run once in each worker process before its first task.</param>
    /// <param name="maxTasksPerChild">How many tasks a worker process runs before it is replaced; <see langword="null"/> for no limit.</param>
    /// <param name="options">How node loss is treated (its membership settings are not used).</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxTasksPerChild"/> is 0 or negative.</exception>
    public ClusterExecutor(IClusterClient client, int? maxWorkers = null, Action? initializer = null, int? maxTasksPerChild = null, ClusterExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var connection = new ClusterConnection(client, () => ValueTask.CompletedTask);
        _engine = new ClusterEngine(CheckWorkers(maxWorkers), Spec(maxWorkers, initializer, maxTasksPerChild), options ?? new ClusterExecutorOptions(), () => Task.FromResult(connection));
    }

    /// <inheritdoc/>
    public int MaxWorkers => _engine.MaxWorkers;

    /// <inheritdoc/>
    public bool IsShutdown => _engine.IsShutdown;

    /// <summary>Gets a value indicating whether the executor is broken (an initializer threw, or the cluster could not be reached).</summary>
    public bool IsBroken => _engine.IsBroken;

    /// <summary>Gets the names of the nodes the executor uses now (they change as nodes join and leave).</summary>
    public IReadOnlyList<string> NodeNames => _engine.NodeNames;

    /// <summary>Gets the embedded cluster, when this executor started one (tests, benchmarks).</summary>
    internal LocalCluster? LocalCluster => _engine.Connection?.Local;

    /// <inheritdoc/>
    /// <remarks><paramref name="cancellationToken"/> cancels the task queued or running (the node kills the worker running it).</remarks>
    public Task<TResult> Submit<TResult>(Func<TResult> function, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: false, null, cancellationToken);

    /// <summary>Schedules <paramref name="function"/> on a node, with a hard time limit.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="timeout">The longest it may run once started; then its worker is killed and the task faults with <see cref="TimeoutException"/>.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    public Task<TResult> Submit<TResult>(Func<TResult> function, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: false, CheckTimeout(timeout), cancellationToken);

    /// <inheritdoc/>
    public Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: false, null, cancellationToken);

    /// <summary>Schedules <paramref name="function"/>(<paramref name="argument"/>) on a node, with a hard time limit.</summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="argument">The argument.</param>
    /// <param name="timeout">The longest it may run once started; then its worker is killed and the task faults with <see cref="TimeoutException"/>.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    public Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: false, CheckTimeout(timeout), cancellationToken);

    /// <summary>
    /// Schedules <paramref name="function"/>(key, <paramref name="argument"/>) on a node, where key is the task's
    /// idempotency key: a new <see cref="Guid"/> for this submission and the same one on every run of it. With
    /// <see cref="ClusterExecutorOptions.RetryOnNodeLoss"/> a task whose node is lost runs again elsewhere
    /// (at-least-once); the key lets it recognise work a lost run may already have done (a row keyed by it, a file
    /// named after it), so the effect happens once.
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run; its first parameter receives the key.</param>
    /// <param name="argument">The argument.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <example>
    /// <code>
    /// static int Charge(Guid key, Order order) => Payments.ChargeOnce(idempotencyKey: key, order);
    /// int receipt = await executor.SubmitIdempotent(Charge, order);
    /// </code>
    /// </example>
    public Task<TResult> SubmitIdempotent<T, TResult>(Func<Guid, T, TResult> function, T argument, CancellationToken cancellationToken = default) =>
        SubmitIdempotentCore(function, argument, null, cancellationToken);

    /// <summary>
    /// Schedules <paramref name="function"/>(key, <paramref name="argument"/>) on a node with a hard time limit, where
    /// key is the task's idempotency key, the same on every run (see <see cref="SubmitIdempotent{T, TResult}(Func{Guid, T, TResult}, T, CancellationToken)"/>).
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run; its first parameter receives the key.</param>
    /// <param name="argument">The argument.</param>
    /// <param name="timeout">The longest one run may take once started; then its worker is killed and the task faults with <see cref="TimeoutException"/>.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    public Task<TResult> SubmitIdempotent<T, TResult>(Func<Guid, T, TResult> function, T argument, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitIdempotentCore(function, argument, CheckTimeout(timeout), cancellationToken);

    /// <summary>Schedules <paramref name="function"/>(<paramref name="first"/>, <paramref name="second"/>) on a node.</summary>
    /// <typeparam name="T1">The type of the first argument.</typeparam>
    /// <typeparam name="T2">The type of the second argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="first">The first argument.</param>
    /// <param name="second">The second argument.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes with the function's result.</returns>
    public Task<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, T1 first, T2 second, CancellationToken cancellationToken = default)
    {
        _engine.ThrowIfClosed();
        SerializedFunction f = SerializedCalls.Function(function, nameof(function));
        return Enqueue(new ClusterWorkItem<TResult>(CallFrames.NextId(), f, SerializedCalls.Payload(f, first, second), null, cancellationToken));
    }

    /// <inheritdoc/>
    public Task Submit(Action action, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(action, awaited: false, null, cancellationToken, nameof(action));

    /// <summary>Schedules <paramref name="action"/> on a node, with a hard time limit.</summary>
    /// <param name="action">The action to run.</param>
    /// <param name="timeout">The longest it may run once started; then its worker is killed and the task faults with <see cref="TimeoutException"/>.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running.</param>
    /// <returns>A task that completes when the action has run.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    public Task Submit(Action action, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(action, awaited: false, CheckTimeout(timeout), cancellationToken, nameof(action));

    /// <inheritdoc/>
    public Task<TResult> Submit<TResult>(Func<Task<TResult>> function, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: true, null, cancellationToken);

    /// <inheritdoc/>
    public Task<TResult> Submit<T, TResult>(Func<T, Task<TResult>> function, T argument, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: true, null, cancellationToken);

    /// <inheritdoc/>
    public Task Submit(Func<Task> function, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(function, awaited: true, null, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Items travel in chunks, sized as <see cref="ProcessPoolExecutor.Map"/> sizes them; <paramref name="bufferSize"/>
    /// counts chunks. The token and timeout cancel the chunks not yet sent to a node; running chunks finish and their
    /// results are dropped.
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        var (chunks, submit, window) = PlanMap(function, source, timeout, chunkSize, bufferSize);
        return MapPipeline.OrderedChunks(chunks, submit, window, timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Chunking, buffering, timeout and cancellation behave as in <see cref="Map"/>.</remarks>
    public IEnumerable<TResult> MapUnordered<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        var (chunks, submit, window) = PlanMap(function, source, timeout, chunkSize, bufferSize);
        return MapPipeline.UnorderedChunks(chunks, submit, window, timeout, cancellationToken);
    }

    /// <inheritdoc/>
    public void Shutdown(bool wait = true, bool cancelPending = false)
    {
        _engine.Shutdown(cancelPending);
        if (wait)
        {
            _engine.Exited.GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc/>
    public Task ShutdownAsync(bool cancelPending = false)
    {
        _engine.Shutdown(cancelPending);
        return _engine.Exited;
    }

    /// <summary>Shuts down, waiting for accepted work to finish (and the embedded nodes, if any, to stop).</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts down, completing when accepted work has finished (and the embedded nodes, if any, have stopped).</summary>
    /// <returns>A task that completes when the executor has shut down.</returns>
    public ValueTask DisposeAsync() => new(ShutdownAsync());

    private static int? CheckWorkers(int? maxWorkers) => maxWorkers switch
    {
        null => null,
        <= 0 => throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers,
            "maxWorkers must be at least 1; pass null to use every worker of every node."),
        _ => maxWorkers,
    };

    private static SessionSpec Spec(int? maxWorkers, Action? initializer, int? maxTasksPerChild)
    {
        int tasks = ProcessEngineFactory.TasksPerChild(maxTasksPerChild, nameof(maxTasksPerChild));
        SerializedFunction? init = initializer is null ? null : SerializedCalls.Function(initializer, nameof(initializer));
        return new SessionSpec
        {
            Session = Guid.NewGuid(),
            MaxWorkers = maxWorkers ?? int.MaxValue,
            MaxTasksPerChild = tasks,
            InitializerDefinition = init?.Definition,
            InitializerPayload = init is null ? null : SerializedCalls.Payload(init),
        };
    }

    private static TimeSpan? CheckTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }
        return timeout;
    }

    private Task<TResult> SubmitCore<TResult>(Delegate function, bool awaited, TimeSpan? timeout, CancellationToken cancellationToken, string paramName = "function")
    {
        ArgumentNullException.ThrowIfNull(function, paramName);
        _engine.ThrowIfClosed();
        SerializedFunction f = SerializedCalls.Function(function, paramName, awaited);
        return Enqueue(new ClusterWorkItem<TResult>(CallFrames.NextId(), f, SerializedCalls.Payload(f), timeout, cancellationToken));
    }

    private Task<TResult> SubmitCore<T, TResult>(Delegate function, T argument, bool awaited, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        _engine.ThrowIfClosed();
        SerializedFunction f = SerializedCalls.Function(function, nameof(function), awaited);
        return Enqueue(new ClusterWorkItem<TResult>(CallFrames.NextId(), f, SerializedCalls.Payload(f, argument, nameof(argument)), timeout, cancellationToken));
    }

    private Task<TResult> SubmitIdempotentCore<T, TResult>(Func<Guid, T, TResult> function, T argument, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        _engine.ThrowIfClosed();
        SerializedFunction f = SerializedCalls.Function(function, nameof(function));
        // The key is the call's first argument, inside the payload: every run of the task (a retry re-sends the same
        // bytes) reads the same key, with nothing added to the node or worker protocol.
        byte[] payload = SerializedCalls.Payload(f, Guid.NewGuid(), argument);
        return Enqueue(new ClusterWorkItem<TResult>(CallFrames.NextId(), f, payload, timeout, cancellationToken));
    }

    private Task<TResult> Enqueue<TResult>(ClusterWorkItem<TResult> item)
    {
        if (item.CancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(item.CancellationToken);
        }
        _engine.Enqueue(item);
        return item.TypedTask;
    }

    /// <summary>What <see cref="Map"/> and <see cref="MapUnordered"/> share: the checked call, its chunks, how a chunk goes to a node, and the window of chunks in flight.</summary>
    private (IEnumerable<T[]> Chunks, Func<T[], CancellationToken, Task<ChunkOutcome<TResult>>> Submit, int Window) PlanMap<T, TResult>(
        Func<T, TResult> function, IEnumerable<T> source, TimeSpan? timeout, int chunkSize, int bufferSize)
    {
        MapArguments.Validate(function, source, timeout, chunkSize, bufferSize);
        _engine.ThrowIfClosed();
        SerializedFunction f = SerializedCalls.Function(function, nameof(function));
        _ = ProcessMap.Plan(source, chunkSize, MaxWorkers, out IEnumerable<T[]> chunks);
        return (chunks, (chunk, stop) => SubmitChunk<T, TResult>(f, chunk, stop), ProcessMap.Window(bufferSize, MaxWorkers));
    }

    private Task<ChunkOutcome<TResult>> SubmitChunk<T, TResult>(SerializedFunction function, T[] chunk, CancellationToken stop)
    {
        var item = new ClusterChunkItem<TResult>(CallFrames.NextId(), function, SerializedCalls.Payload(function, chunk, "source"), chunk.Length, stop);
        _engine.Enqueue(item);
        return item.TypedTask;
    }
}
