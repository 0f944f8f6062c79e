using Concur.Processes.Internal;
using Concur.Serialization;

namespace Concur;

/// <summary>
/// Runs functions in a pool of warm .NET worker processes and hands back each result as a <see cref="Task{TResult}"/>:
/// Python's <c>concurrent.futures.ProcessPoolExecutor</c>, with what .NET threads cannot give: a hard per-task
/// timeout, cancellation of a running task, and a crash in one task that fails only that task.
/// </summary>
/// <remarks>
/// <para>
/// What can be sent: static methods, lambdas that capture nothing, and lambdas whose captured variables are
/// serializable (each captured variable travels by value, serialized by its declared type). Arguments and results
/// travel serialized by their declared types with MessagePack (no attributes needed). Anything else is rejected at
/// <c>Submit</c> with an <see cref="ArgumentException"/> that names the variable or argument and says what to do.
/// </para>
/// <para>
/// Async functions (<c>Func&lt;Task&lt;TResult&gt;&gt;</c>, <c>Func&lt;T, Task&lt;TResult&gt;&gt;</c>,
/// <c>Func&lt;Task&gt;</c>, async lambdas included) run in the worker, which awaits their task and sends back its
/// result: the worker runs nothing else meanwhile, and the hard timeout and cancellation stop a task that never
/// completes by killing its worker. A task itself never travels as a value.
/// </para>
/// <para>
/// Failures: an exception thrown by the function faults the task with a <see cref="RemoteException"/> (remote type
/// name, message and stack trace). A worker that dies (<see cref="Environment.FailFast(string)"/>, a stack overflow,
/// SIGKILL, the out-of-memory killer) faults only the task it was running with a <see cref="WorkerCrashedException"/>;
/// the worker is replaced and the other tasks go on. Workers die with the parent process, however it ends.
/// </para>
/// <para>
/// The workers are started when the pool is created (creation returns at once; the first task waits for the first
/// worker to be ready). The worker processes run Concur.dll with the application's own runtime configuration and
/// dependencies, so the application needs no extra project or setting (single-file bundles need
/// <see cref="ConcurWorker.TryRunWorker"/>). All members are thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// static int Square(int x) => x * x;
/// await using var pool = new ProcessPoolExecutor(maxWorkers: 2);
/// int nine = await pool.Submit(Square, 3);
/// int[] squares = pool.Map(Square, Enumerable.Range(0, 10)).ToArray();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessPoolExecutor : IExecutor
{
    private readonly ProcessPoolEngine _engine;

    /// <summary>Starts a pool of worker processes.</summary>
    /// <param name="maxWorkers">
    /// The number of worker processes, at least 1; <see langword="null"/> (the default) means
    /// <see cref="Environment.ProcessorCount"/>, as CPython's <c>ProcessPoolExecutor(max_workers=None)</c>.
    /// </param>
    /// <param name="initializer">
    /// A function run once in each worker before its first task (a static method, or a lambda whose captured
    /// variables are serializable); <see langword="null"/> (the default) for none. If it throws, the pool is broken
    /// (<see cref="IsBroken"/>): queued and later work faults with <see cref="BrokenExecutorException"/>, whose
    /// <see cref="Exception.InnerException"/> is the initializer's <see cref="RemoteException"/>.
    /// </param>
    /// <param name="maxTasksPerChild">
    /// How many tasks a worker runs before it is replaced by a fresh process (frees whatever the tasks leaked), at
    /// least 1; <see langword="null"/> (the default) means no limit.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxTasksPerChild"/> is 0 or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="initializer"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">Worker processes cannot be started from this application (the message says why and what to do).</exception>
    /// <exception cref="PlatformNotSupportedException">Worker processes are not implemented on this operating system yet.</exception>
    public ProcessPoolExecutor(int? maxWorkers = null, Action? initializer = null, int? maxTasksPerChild = null)
    {
        GC.SuppressFinalize(this); // Until the engine exists there is nothing to shut down.
        int workers = ProcessEngineFactory.Workers(maxWorkers, nameof(maxWorkers));
        int tasks = ProcessEngineFactory.TasksPerChild(maxTasksPerChild, nameof(maxTasksPerChild));
        _engine = ProcessEngineFactory.Create(nameof(ProcessPoolExecutor), workers, initializer, tasks);
        GC.ReRegisterForFinalize(this);
    }

    /// <summary>Starts a pool whose workers get extra environment variables (tests: GC limits).</summary>
    internal ProcessPoolExecutor(int maxWorkers, IReadOnlyDictionary<string, string> workerEnvironment)
    {
        _engine = ProcessEngineFactory.Create(nameof(ProcessPoolExecutor), maxWorkers, null, 0, workerEnvironment);
    }

    /// <summary>Starts a pool with its own limits on what workers may send (tests: short stall timeout, small frames).</summary>
    internal ProcessPoolExecutor(int maxWorkers, ChannelLimits limits, Action? initializer = null)
    {
        _engine = ProcessEngineFactory.Create(nameof(ProcessPoolExecutor), maxWorkers, initializer, 0, null, limits);
    }

    /// <summary>
    /// Shuts down a pool that was dropped without being disposed, without waiting: accepted work still runs, then
    /// the worker processes exit (as CPython does when an executor is garbage-collected). Workers never outlive the
    /// pool's owner for long, and never the parent process.
    /// </summary>
    ~ProcessPoolExecutor()
    {
        // Null if the constructor threw after the object was allocated.
        _engine?.Shutdown(cancelPending: false);
    }

    /// <inheritdoc/>
    public int MaxWorkers => _engine.MaxWorkers;

    /// <inheritdoc/>
    public bool IsShutdown => _engine.IsShutdown;

    /// <summary>
    /// Gets a value indicating whether the pool is broken: its initializer threw, or worker processes cannot start.
    /// Work submitted to a broken pool faults with <see cref="BrokenExecutorException"/>.
    /// </summary>
    public bool IsBroken => _engine.IsBroken;

    /// <summary>Gets the process ids of the worker processes alive now (they change as workers are replaced).</summary>
    public IReadOnlyList<int> WorkerProcessIds => _engine.WorkerProcessIds;

    /// <summary>Returns the size, state, worker process ids and queued tasks, like <c>&lt;ProcessPoolExecutor maxWorkers=2 running workers=[812, 813] queued=0&gt;</c>.</summary>
    /// <returns>A description of the pool.</returns>
    public override string ToString() => _engine.Describe(nameof(ProcessPoolExecutor), $"maxWorkers={MaxWorkers}");

    /// <summary>Gets, per live worker's process id, how many tasks wait in its pipe behind the one it runs (tests).</summary>
    internal IReadOnlyDictionary<int, int> TasksWaitingInWorkers => _engine.TasksWaitingInWorkers;

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> cancels the task while it is queued, and also while it runs: the worker
    /// running it is killed and replaced, and the task ends cancelled.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    public Task<TResult> Submit<TResult>(Func<TResult> function, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: false, null, cancellationToken);

    /// <summary>Schedules <paramref name="function"/> to run in a worker process, with a hard time limit.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="timeout">
    /// The longest the function may run, counted from when it starts in its worker; when it runs longer, the
    /// worker is killed and replaced and the task faults with <see cref="TimeoutException"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task<TResult> Submit<TResult>(Func<TResult> function, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: false, CheckTimeout(timeout), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> cancels the task while it is queued, and also while it runs: the worker
    /// running it is killed and replaced, and the task ends cancelled.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> or <paramref name="argument"/> cannot be sent to a worker process.</exception>
    public Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: false, null, cancellationToken);

    /// <summary>Schedules <paramref name="function"/>(<paramref name="argument"/>) to run in a worker process, with a hard time limit.</summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="argument">The argument (sent serialized by its declared type <typeparamref name="T"/>).</param>
    /// <param name="timeout">
    /// The longest the function may run, counted from when it starts in its worker; when it runs longer, the
    /// worker is killed and replaced and the task faults with <see cref="TimeoutException"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> or <paramref name="argument"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task<TResult> Submit<T, TResult>(Func<T, TResult> function, T argument, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: false, CheckTimeout(timeout), cancellationToken);

    /// <summary>Schedules <paramref name="function"/>(<paramref name="first"/>, <paramref name="second"/>) to run in a worker process.</summary>
    /// <typeparam name="T1">The type of the first argument.</typeparam>
    /// <typeparam name="T2">The type of the second argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function to run.</param>
    /// <param name="first">The first argument.</param>
    /// <param name="second">The second argument.</param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes with the function's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The function or an argument cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, T1 first, T2 second, CancellationToken cancellationToken = default)
    {
        FunctionRef reference = FunctionRef.From(function, nameof(function));
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.Invoke, id, reference, CallFrames.TargetState(reference, function.Target, nameof(function)), first, second);
        return Enqueue(new WorkItem<TResult>(id, reference, frame, null, cancellationToken));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> cancels the task while it is queued, and also while it runs: the worker
    /// running it is killed and replaced, and the task ends cancelled.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="action"/> cannot be sent to a worker process.</exception>
    public Task Submit(Action action, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(action, awaited: false, null, cancellationToken, nameof(action));

    /// <summary>Schedules <paramref name="action"/> to run in a worker process, with a hard time limit.</summary>
    /// <param name="action">The action to run.</param>
    /// <param name="timeout">
    /// The longest the action may run, counted from when it starts in its worker; when it runs longer, the worker
    /// is killed and replaced and the task faults with <see cref="TimeoutException"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes when the action has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="action"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task Submit(Action action, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(action, awaited: false, CheckTimeout(timeout), cancellationToken, nameof(action));

    /// <inheritdoc/>
    /// <remarks>
    /// The worker awaits the function's task and sends back its result (see the class remarks). The result travels
    /// serialized by its declared type <typeparamref name="TResult"/>. <paramref name="cancellationToken"/> cancels
    /// the task while it is queued, and also while it runs: the worker running it is killed and replaced.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    public Task<TResult> Submit<TResult>(Func<Task<TResult>> function, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: true, null, cancellationToken);

    /// <summary>Schedules the async <paramref name="function"/> to run in a worker process, which awaits its task, with a hard time limit.</summary>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="timeout">
    /// The longest the function may run, counted from when it starts in its worker until its task completes; when it
    /// runs longer (or its task never completes), the worker is killed and replaced and the task faults with
    /// <see cref="TimeoutException"/>. <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes with the result of the function's task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task<TResult> Submit<TResult>(Func<Task<TResult>> function, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<TResult>(function, awaited: true, CheckTimeout(timeout), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// The worker awaits the function's task and sends back its result (see the class remarks).
    /// <paramref name="cancellationToken"/> cancels the task while it is queued, and also while it runs: the worker
    /// running it is killed and replaced.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> or <paramref name="argument"/> cannot be sent to a worker process.</exception>
    public Task<TResult> Submit<T, TResult>(Func<T, Task<TResult>> function, T argument, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: true, null, cancellationToken);

    /// <summary>
    /// Schedules the async <paramref name="function"/>(<paramref name="argument"/>) to run in a worker process, which
    /// awaits its task, with a hard time limit.
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the function's result.</typeparam>
    /// <param name="function">The async function to run.</param>
    /// <param name="argument">The argument (sent serialized by its declared type <typeparamref name="T"/>).</param>
    /// <param name="timeout">
    /// The longest the function may run, counted from when it starts in its worker until its task completes; when it
    /// runs longer (or its task never completes), the worker is killed and replaced and the task faults with
    /// <see cref="TimeoutException"/>. <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes with the result of the function's task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> or <paramref name="argument"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task<TResult> Submit<T, TResult>(Func<T, Task<TResult>> function, T argument, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<T, TResult>(function, argument, awaited: true, CheckTimeout(timeout), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// The worker awaits the function's task (see the class remarks). <paramref name="cancellationToken"/> cancels the
    /// task while it is queued, and also while it runs: the worker running it is killed and replaced.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    public Task Submit(Func<Task> function, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(function, awaited: true, null, cancellationToken);

    /// <summary>Schedules the async <paramref name="function"/>, which returns no value, to run in a worker process, which awaits its task, with a hard time limit.</summary>
    /// <param name="function">The async function to run.</param>
    /// <param name="timeout">
    /// The longest the function may run, counted from when it starts in its worker until its task completes; when it
    /// runs longer (or its task never completes), the worker is killed and replaced and the task faults with
    /// <see cref="TimeoutException"/>. <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the task, queued or running (a running task's worker is killed).</param>
    /// <returns>A task that completes when the function's task has completed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or zero (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public Task Submit(Func<Task> function, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SubmitCore<object?>(function, awaited: true, CheckTimeout(timeout), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Items travel in chunks. <paramref name="chunkSize"/> above 0 is always honoured. The default is Python's
    /// Pool.map rule, ceil(n / (4 * <see cref="MaxWorkers"/>)), when the size n of <paramref name="source"/> is known
    /// without enumerating it (arrays, lists, ranges); otherwise (<c>.Where(...)</c>, an iterator, an endless source)
    /// chunks start at one item, so the first results come at once, and grow toward that rule as items keep coming,
    /// staying within 8,192 items, about 1 MiB of arguments and results, and about 100 ms of running each.
    /// </para>
    /// <para>
    /// The default buffer is 4 * <see cref="MaxWorkers"/> chunks; <paramref name="bufferSize"/> counts chunks, as for
    /// every <see cref="IExecutor"/> when items travel in chunks. A chunk stops at its first item that throws: every
    /// result before that item is yielded, then its exception (a <see cref="RemoteException"/>) is thrown, as without
    /// chunks; the rest of that chunk does not run. The function and the item type are checked at this call; the
    /// token and timeout stop the enumeration and cancel the chunks not yet sent to a worker (running chunks finish
    /// and their results are dropped). Results already yielded are not kept, so an endless map runs in flat memory.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        (FunctionRef reference, byte[] target) = PrepareMap(function, source, timeout, chunkSize, bufferSize);
        return ProcessMap.Ordered<T, TResult>(this, _engine, reference, target, source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Chunking, buffering, timeout and cancellation behave as in <see cref="Map"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is negative, or <paramref name="timeout"/> is negative (and not infinite).</exception>
    /// <exception cref="ArgumentException"><paramref name="function"/> cannot be sent to a worker process.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    public IEnumerable<TResult> MapUnordered<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout = null,
        int chunkSize = 0,
        int bufferSize = 0,
        CancellationToken cancellationToken = default)
    {
        (FunctionRef reference, byte[] target) = PrepareMap(function, source, timeout, chunkSize, bufferSize);
        return ProcessMap.Unordered<T, TResult>(this, _engine, reference, target, source, timeout, chunkSize, bufferSize, cancellationToken);
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

    /// <summary>
    /// Stops every worker process now with SIGTERM and shuts the pool down (Python 3.14's
    /// <c>terminate_workers()</c>). Work not started yet, and work that was running, faults with
    /// <see cref="BrokenExecutorException"/>; completed work is unaffected. Returns without waiting: wait on
    /// <see cref="ShutdownAsync"/> or <see cref="Shutdown"/> for the workers to be gone.
    /// </summary>
    /// <remarks>A worker that handles SIGTERM may take its time to exit; <see cref="KillWorkers"/> does not wait for it.</remarks>
    public void TerminateWorkers()
    {
        _engine.StopWorkers(Platform.Signals.SIGTERM, nameof(TerminateWorkers));
    }

    /// <summary>
    /// Kills every worker process now with SIGKILL and shuts the pool down (Python 3.14's <c>kill_workers()</c>).
    /// Work not started yet, and work that was running, faults with <see cref="BrokenExecutorException"/>; completed
    /// work is unaffected. Returns without waiting: wait on <see cref="ShutdownAsync"/> for the workers to be gone.
    /// </summary>
    public void KillWorkers()
    {
        _engine.StopWorkers(Platform.Signals.SIGKILL, nameof(KillWorkers));
    }

    /// <summary>Shuts down, waiting for accepted work to finish and the workers to exit (<c>Shutdown(wait: true)</c>).</summary>
    public void Dispose()
    {
        Shutdown(wait: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down, completing when accepted work has finished and the workers have exited.</summary>
    /// <returns>A task that completes when the pool has shut down.</returns>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new(ShutdownAsync());
    }

    private static TimeSpan? CheckTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "The timeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }
        return timeout;
    }

    /// <summary>
    /// Submits a function without arguments whose result (for an async function, its task's result; for an action,
    /// nil) travels back as <typeparamref name="TResult"/>.
    /// </summary>
    private Task<TResult> SubmitCore<TResult>(Delegate function, bool awaited, TimeSpan? timeout, CancellationToken cancellationToken, string paramName = "function")
    {
        _engine.ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, paramName, awaited);
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.Invoke, id, reference, CallFrames.TargetState(reference, function.Target, paramName));
        return Enqueue(new WorkItem<TResult>(id, reference, frame, timeout, cancellationToken));
    }

    /// <summary>Submits a function of one argument whose result (for an async function, its task's result) travels back as <typeparamref name="TResult"/>.</summary>
    private Task<TResult> SubmitCore<T, TResult>(Delegate function, T argument, bool awaited, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _engine.ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, nameof(function), awaited);
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.Invoke, id, reference, CallFrames.TargetState(reference, function.Target, nameof(function)), argument, nameof(argument));
        return Enqueue(new WorkItem<TResult>(id, reference, frame, timeout, cancellationToken));
    }

    private Task<TResult> Enqueue<TResult>(WorkItem<TResult> item)
    {
        if (item.CancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(item.CancellationToken);
        }
        _engine.Enqueue(item);
        return item.TypedTask;
    }

    private (FunctionRef Reference, byte[] Target) PrepareMap<T, TResult>(
        Func<T, TResult> function, IEnumerable<T> source, TimeSpan? timeout, int chunkSize, int bufferSize)
    {
        Executors.Internal.MapArguments.Validate(function, source, timeout, chunkSize, bufferSize);
        _engine.ThrowIfClosed();
        FunctionRef reference = FunctionRef.From(function, nameof(function));
        byte[] target = CallFrames.TargetState(reference, function.Target, nameof(function));
        return (reference, target);
    }
}
