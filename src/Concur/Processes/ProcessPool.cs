using Concur.Processes.Internal;
using Concur.Serialization;

namespace Concur;

/// <summary>
/// A pool of worker processes with Python's <c>multiprocessing.Pool</c> vocabulary: <see cref="Apply{T, TResult}(Func{T, TResult}, T)"/>,
/// <see cref="ApplyAsync{T, TResult}(Func{T, TResult}, T, Action{TResult}?, Action{Exception}?)"/>, <see cref="Map{T, TResult}"/>, <see cref="Imap{T, TResult}"/>,
/// <see cref="ImapUnordered{T, TResult}"/>, <see cref="Starmap{T1, T2, TResult}"/>, <see cref="Close"/>,
/// <see cref="Join()"/> and <see cref="Terminate"/>. It runs on the same engine as <see cref="ProcessPoolExecutor"/>,
/// with the same rules for what can be sent, the same crash containment, and workers that die with the parent.
/// </summary>
/// <remarks>
/// As in Python, disposing the pool (the end of a <c>using</c> block) calls <see cref="Terminate"/>: work still
/// running is stopped. To let it finish, call <see cref="Close"/> then <see cref="Join()"/> first, or use the
/// blocking <see cref="Map{T, TResult}"/> and <see cref="Apply{T, TResult}(Func{T, TResult}, T)"/>. Async functions
/// (<c>Func&lt;Task&lt;TResult&gt;&gt;</c>, <c>Func&lt;T, Task&lt;TResult&gt;&gt;</c>) run in a worker, which awaits
/// their task and sends back its result. All members are thread-safe.
/// </remarks>
/// <example>
/// <code>
/// using var pool = new ProcessPool(processes: 4);
/// List&lt;int&gt; squares = pool.Map(Square, Enumerable.Range(0, 100));
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessPool : IDisposable, IAsyncDisposable
{
    private readonly ProcessPoolEngine _engine;
    private volatile bool _closed;

    /// <summary>Starts a pool of worker processes.</summary>
    /// <param name="processes">
    /// The number of worker processes, at least 1; <see langword="null"/> (the default) means
    /// <see cref="Environment.ProcessorCount"/>, as Python's <c>Pool(processes=None)</c>.
    /// </param>
    /// <param name="initializer">A function run once in each worker before its first task; <see langword="null"/> (the default) for none.</param>
    /// <param name="maxTasksPerChild">How many tasks a worker runs before it is replaced, at least 1; <see langword="null"/> (the default) means no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processes"/> or <paramref name="maxTasksPerChild"/> is 0 or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="initializer"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">Worker processes cannot be started from this application (the message says why and what to do).</exception>
    /// <exception cref="PlatformNotSupportedException">Worker processes are not implemented on this operating system yet.</exception>
    public ProcessPool(int? processes = null, Action? initializer = null, int? maxTasksPerChild = null)
    {
        int workers = ProcessEngineFactory.Workers(processes, nameof(processes));
        int tasks = ProcessEngineFactory.TasksPerChild(maxTasksPerChild, nameof(maxTasksPerChild));
        _engine = ProcessEngineFactory.Create(nameof(ProcessPool), workers, initializer, tasks);
    }

    /// <summary>Gets the number of worker processes.</summary>
    public int Processes => _engine.MaxWorkers;

    /// <summary>Returns the size, state, worker process ids and queued tasks, like Python's repr of a Pool (<c>&lt;ProcessPool processes=4 running workers=[...] queued=0&gt;</c>).</summary>
    /// <returns>A description of the pool.</returns>
    public override string ToString() => _engine.Describe(nameof(ProcessPool), $"processes={Processes}");

    /// <summary>Runs <paramref name="function"/>(<paramref name="argument"/>) in a worker and waits for the result (Python's <c>apply</c>).</summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="argument">Its argument.</param>
    /// <returns>The function's result.</returns>
    /// <exception cref="RemoteException">The function threw.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="ArgumentException">The function or argument cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public TResult Apply<T, TResult>(Func<T, TResult> function, T argument) =>
        ApplyAsync(function, argument).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="function"/> in a worker and waits for the result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <returns>The function's result.</returns>
    /// <exception cref="RemoteException">The function threw.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public TResult Apply<TResult>(Func<TResult> function) => ApplyAsync(function).GetAwaiter().GetResult();

    /// <summary>
    /// Schedules <paramref name="function"/>(<paramref name="argument"/>) in a worker (Python's <c>apply_async</c>).
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="argument">Its argument.</param>
    /// <param name="callback">Called with the result when the function succeeds, before the returned task completes; <see langword="null"/> for none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, before the returned task faults; <see langword="null"/> for none.</param>
    /// <returns>A task for the result (Python's AsyncResult: <c>await</c> it, or read <c>.Result</c>).</returns>
    /// <exception cref="ArgumentException">The function or argument cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public Task<TResult> ApplyAsync<T, TResult>(Func<T, TResult> function, T argument, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore<T, TResult>(function, argument, awaited: false, callback, errorCallback);

    /// <summary>Schedules <paramref name="function"/> in a worker.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="callback">Called with the result when the function succeeds; <see langword="null"/> for none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; <see langword="null"/> for none.</param>
    /// <returns>A task for the result.</returns>
    /// <exception cref="ArgumentException">The function cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public Task<TResult> ApplyAsync<TResult>(Func<TResult> function, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore<TResult>(function, awaited: false, callback, errorCallback);

    /// <summary>
    /// Runs the async <paramref name="function"/>(<paramref name="argument"/>) in a worker, which awaits its task, and
    /// waits for the result.
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="argument">Its argument.</param>
    /// <returns>The result of the function's task.</returns>
    /// <exception cref="RemoteException">The function's task faulted (or ended cancelled) in the worker.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="ArgumentException">The function or argument cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public TResult Apply<T, TResult>(Func<T, Task<TResult>> function, T argument) =>
        ApplyAsync(function, argument).GetAwaiter().GetResult();

    /// <summary>Runs the async <paramref name="function"/> in a worker, which awaits its task, and waits for the result.</summary>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <returns>The result of the function's task.</returns>
    /// <exception cref="RemoteException">The function's task faulted (or ended cancelled) in the worker.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="ArgumentException">The function cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public TResult Apply<TResult>(Func<Task<TResult>> function) => ApplyAsync(function).GetAwaiter().GetResult();

    /// <summary>
    /// Schedules the async <paramref name="function"/>(<paramref name="argument"/>) in a worker, which awaits its task
    /// and sends back its result (Python's <c>apply_async</c> for a coroutine function).
    /// </summary>
    /// <remarks>
    /// C# picks this overload for an async lambda or a method returning <see cref="Task{TResult}"/>. The worker runs
    /// nothing else until the function's task completes. A task that faults faults the returned task with a
    /// <see cref="RemoteException"/>, as a synchronous throw does; a task cancelled in the worker faults it with a
    /// <see cref="RemoteException"/> naming the <see cref="OperationCanceledException"/>.
    /// </remarks>
    /// <example>
    /// <code>
    /// int r = await pool.ApplyAsync(async () => { await Task.Delay(10); return 42; });
    /// </code>
    /// </example>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="argument">Its argument.</param>
    /// <param name="callback">Called with the result when the function succeeds, before the returned task completes; <see langword="null"/> for none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, before the returned task faults; <see langword="null"/> for none.</param>
    /// <returns>A task for the result of the function's task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The function or argument cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public Task<TResult> ApplyAsync<T, TResult>(Func<T, Task<TResult>> function, T argument, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore<T, TResult>(function, argument, awaited: true, callback, errorCallback);

    /// <summary>Schedules the async <paramref name="function"/> in a worker, which awaits its task and sends back its result.</summary>
    /// <remarks>Behaves as <see cref="ApplyAsync{T, TResult}(Func{T, Task{TResult}}, T, Action{TResult}?, Action{Exception}?)"/>.</remarks>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="callback">Called with the result when the function succeeds; <see langword="null"/> for none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; <see langword="null"/> for none.</param>
    /// <returns>A task for the result of the function's task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The function cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public Task<TResult> ApplyAsync<TResult>(Func<Task<TResult>> function, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore<TResult>(function, awaited: true, callback, errorCallback);

    /// <summary>
    /// Applies <paramref name="function"/> to every item and waits for all the results, in order (Python's <c>map</c>).
    /// </summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The items (read completely first, as Python does).</param>
    /// <param name="chunkSize">Items per task; 0 (the default) means ceil(n / (4 * <see cref="Processes"/>)), as in Python.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="RemoteException">The function threw for some item (the first such item, in order).</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public List<TResult> Map<T, TResult>(Func<T, TResult> function, IEnumerable<T> source, int chunkSize = 0) =>
        MapAsync(function, source, chunkSize).GetAwaiter().GetResult();

    /// <summary>Like <see cref="Map{T, TResult}"/>, without waiting (Python's <c>map_async</c>).</summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The items (read completely at this call).</param>
    /// <param name="chunkSize">Items per task; 0 (the default) as in <see cref="Map{T, TResult}"/>.</param>
    /// <param name="callback">Called with all the results on success; <see langword="null"/> for none.</param>
    /// <param name="errorCallback">Called with the exception on failure; <see langword="null"/> for none.</param>
    /// <returns>A task for the list of results.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public Task<List<TResult>> MapAsync<T, TResult>(Func<T, TResult> function, IEnumerable<T> source, int chunkSize = 0,
        Action<List<TResult>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        T[] items = source.ToArray();
        IEnumerable<TResult> results = MapCore<T, TResult>(function, items, chunkSize, ordered: true, items.Length + 1);
        return WithCallbacks(Task.Run(() => results.ToList()), callback, errorCallback);
    }

    /// <summary>Applies <paramref name="function"/> lazily, yielding results in order (Python's <c>imap</c>).</summary>
    /// <remarks>
    /// <para>
    /// Unlike Python, whose <c>imap</c> sends one item per task unless told otherwise (which costs a round trip per
    /// item: 200,000 trivial items took seconds instead of milliseconds), the default chunk size lets the pool
    /// choose: Python's <c>Pool.map</c> rule, ceil(n / (4 * <see cref="Processes"/>)), when the size n of
    /// <paramref name="source"/> is known without enumerating it; otherwise chunks of one item first, so the first
    /// results come as soon as with Python's default, growing toward that rule as items keep coming (at most 8,192
    /// items, about 1 MiB and about 100 ms each). Pass <c>chunkSize: 1</c> for Python's behaviour; any chunk size
    /// above 0 is honoured as given.
    /// </para>
    /// <para>
    /// A chunk stops at its first item that throws: every result before that item is yielded, then its
    /// <see cref="RemoteException"/> is thrown. Results already yielded are not kept.
    /// </para>
    /// </remarks>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The items, read lazily with a bounded look-ahead (4 * <see cref="Processes"/> chunks).</param>
    /// <param name="chunkSize">Items per task; 0 (the default) lets the pool choose, as described above.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public IEnumerable<TResult> Imap<T, TResult>(Func<T, TResult> function, IEnumerable<T> source, int chunkSize = 0) =>
        MapCore<T, TResult>(function, source, chunkSize, ordered: true, 0);

    /// <summary>Applies <paramref name="function"/> lazily, yielding results as they complete (Python's <c>imap_unordered</c>).</summary>
    /// <remarks>
    /// Chunk sizes and errors as in <see cref="Imap{T, TResult}"/>; a chunk's results are yielded together, in input
    /// order within the chunk.
    /// </remarks>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The items, read lazily with a bounded look-ahead.</param>
    /// <param name="chunkSize">Items per task; 0 (the default) lets the pool choose, as for <see cref="Imap{T, TResult}"/>.</param>
    /// <returns>The results, in completion order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public IEnumerable<TResult> ImapUnordered<T, TResult>(Func<T, TResult> function, IEnumerable<T> source, int chunkSize = 0) =>
        MapCore<T, TResult>(function, source, chunkSize, ordered: false, 0);

    /// <summary>Applies a two-parameter function to each pair and waits for all the results (Python's <c>starmap</c>).</summary>
    /// <typeparam name="T1">The type of the first argument.</typeparam>
    /// <typeparam name="T2">The type of the second argument.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="function">The function to apply.</param>
    /// <param name="source">The argument pairs.</param>
    /// <param name="chunkSize">Pairs per task; 0 (the default) as in <see cref="Map{T, TResult}"/>.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="RemoteException">The function threw for some pair.</exception>
    /// <exception cref="InvalidOperationException">The pool has been closed or terminated.</exception>
    public List<TResult> Starmap<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<(T1, T2)> source, int chunkSize = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkSize);
        ThrowIfClosed();
        (T1, T2)[] items = source.ToArray();
        FunctionRef reference = FunctionRef.From(function, nameof(function));
        byte[] target = CallFrames.TargetState(reference, function.Target, nameof(function));
        return ProcessMap.Ordered<(T1, T2), TResult>(this, _engine, reference, target, items, null, chunkSize, items.Length + 1, CancellationToken.None).ToList();
    }

    /// <summary>Stops accepting work; the workers exit once the work already submitted is done (Python's <c>close</c>).</summary>
    public void Close()
    {
        _closed = true;
        _engine.Shutdown(cancelPending: false);
    }

    /// <summary>Stops the workers at once, without finishing outstanding work; that work ends cancelled (Python's <c>terminate</c>).</summary>
    public void Terminate()
    {
        _closed = true;
        _engine.Terminate();
    }

    /// <summary>Waits for the workers to exit; call <see cref="Close"/> or <see cref="Terminate"/> first (Python's <c>join</c>).</summary>
    /// <exception cref="InvalidOperationException">The pool is still open.</exception>
    public void Join() => Join(Timeout.InfiniteTimeSpan, CancellationToken.None);

    /// <summary>Waits for the workers to exit, at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the workers have exited; <see langword="false"/> on timeout.</returns>
    /// <exception cref="InvalidOperationException">The pool is still open: call <see cref="Close"/> or <see cref="Terminate"/> first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfOpen();
        try
        {
            return _engine.Exited.Wait(timeout, cancellationToken);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>Completes when the workers have exited; call <see cref="Close"/> or <see cref="Terminate"/> first.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the workers have exited.</returns>
    /// <exception cref="InvalidOperationException">The pool is still open.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfOpen();
        return _engine.Exited.WaitAsync(cancellationToken);
    }

    /// <summary>Terminates the pool (as Python's <c>with Pool() as p:</c> does on exit) and waits for the workers to exit.</summary>
    public void Dispose()
    {
        Terminate();
        _engine.Exited.Wait();
    }

    /// <summary>Terminates the pool and completes when the workers have exited.</summary>
    /// <returns>A task that completes when the workers have exited.</returns>
    public ValueTask DisposeAsync()
    {
        Terminate();
        return new ValueTask(_engine.Exited);
    }

    private Task<TResult> ApplyCore<TResult>(Delegate function, bool awaited, Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, nameof(function), awaited);
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.Invoke, id, reference, CallFrames.TargetState(reference, function.Target, nameof(function)));
        var item = new WorkItem<TResult>(id, reference, frame, null, CancellationToken.None);
        _engine.Enqueue(item);
        return WithCallbacks(item.TypedTask, callback, errorCallback);
    }

    private Task<TResult> ApplyCore<T, TResult>(Delegate function, T argument, bool awaited, Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, nameof(function), awaited);
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.Invoke, id, reference, CallFrames.TargetState(reference, function.Target, nameof(function)), argument, nameof(argument));
        var item = new WorkItem<TResult>(id, reference, frame, null, CancellationToken.None);
        _engine.Enqueue(item);
        return WithCallbacks(item.TypedTask, callback, errorCallback);
    }

    private static async Task<TResult> WithCallbacks<TResult>(Task<TResult> task, Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        TResult result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception e) when (errorCallback is not null)
        {
            errorCallback(e);
            throw;
        }
        callback?.Invoke(result);
        return result;
    }

    private IEnumerable<TResult> MapCore<T, TResult>(Func<T, TResult> function, IEnumerable<T> source, int chunkSize, bool ordered, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkSize);
        ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, nameof(function));
        byte[] target = CallFrames.TargetState(reference, function.Target, nameof(function));
        return ordered
            ? ProcessMap.Ordered<T, TResult>(this, _engine, reference, target, source, null, chunkSize, bufferSize, CancellationToken.None)
            : ProcessMap.Unordered<T, TResult>(this, _engine, reference, target, source, null, chunkSize, bufferSize, CancellationToken.None);
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The pool has been closed or terminated; create a new ProcessPool to run more work.");
        }
    }

    private void ThrowIfOpen()
    {
        if (!_closed)
        {
            throw new InvalidOperationException("The pool is still running: call Close (or Terminate) before Join, as in Python.");
        }
    }
}
