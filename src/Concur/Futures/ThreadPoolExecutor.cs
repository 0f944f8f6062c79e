using System.Collections.Concurrent;
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
public sealed class ThreadPoolExecutor : IExecutor
{
    // How many SpinWait rounds an idle worker spins before it blocks; about the spin of the .NET thread pool's
    // workers (tens of microseconds), short enough not to matter to other threads when the executor is idle.
    private const int WorkerSpinCount = 100;

    private static int s_executorCounter = -1;

    private readonly ConcurrentQueue<WorkItem> _queue = new();

    // One count per queued item plus one per exit request after shutdown; workers block on it.
    private readonly SemaphoreSlim _workAvailable = new(0);
    private readonly Lock _lock = new();
    private readonly List<Thread> _threads = [];
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _threadNamePrefix;
    private readonly Action? _initializer;

    // Items queued and not yet taken by a worker, and workers that are (or are about to be) waiting for work.
    // A thread is started only when queued items outnumber idle workers.
    private int _pending;
    private int _idle;
    private int _liveThreads;
    private volatile bool _shutdown;
    private BrokenExecutorException? _broken;

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
            throw new ArgumentOutOfRangeException(
                nameof(maxWorkers),
                maxWorkers,
                "maxWorkers must be at least 1; pass null for the default of min(32, processors + 4).");
        }
        MaxWorkers = maxWorkers ?? DefaultMaxWorkers;
        var number = Interlocked.Increment(ref s_executorCounter);
        _threadNamePrefix = threadNamePrefix ?? $"ThreadPoolExecutor-{number}";
        _initializer = initializer;
    }

    /// <summary>Gets the default <see cref="MaxWorkers"/>: <c>min(32, Environment.ProcessorCount + 4)</c>.</summary>
    public static int DefaultMaxWorkers => Math.Min(32, Environment.ProcessorCount + 4);

    /// <inheritdoc/>
    public int MaxWorkers { get; }

    /// <inheritdoc/>
    public bool IsShutdown => _shutdown;

    /// <summary>Gets a value indicating whether the executor is broken (its initializer threw).</summary>
    public bool IsBroken => Volatile.Read(ref _broken) is not null;

    /// <summary>Gets the number of worker threads started so far (they start lazily, up to <see cref="MaxWorkers"/>).</summary>
    public int ThreadCount
    {
        get
        {
            lock (_lock)
            {
                return _threads.Count;
            }
        }
    }

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
    /// The sequence is lazy: nothing is submitted until enumeration starts. <paramref name="chunkSize"/> 0 means 1
    /// (threads share memory, so batching rarely pays); with a larger chunk size <paramref name="bufferSize"/> counts
    /// chunks. <paramref name="bufferSize"/> 0 means <c>2 * MaxWorkers</c>. Disposing the enumerator early cancels
    /// the items that have not started.
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is negative, or <paramref name="timeout"/> is negative.</exception>
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
    public void Shutdown(bool wait = true, bool cancelPending = false)
    {
        BeginShutdown(cancelPending);
        if (!wait)
        {
            return;
        }
        Thread[] threads;
        lock (_lock)
        {
            threads = [.. _threads];
        }
        foreach (var thread in threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
    }

    /// <inheritdoc/>
    public Task ShutdownAsync(bool cancelPending = false)
    {
        BeginShutdown(cancelPending);
        return _allExited.Task;
    }

    /// <summary>Shuts down and waits for all accepted work to finish: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts down and completes when all accepted work has finished: <c>ShutdownAsync()</c>.</summary>
    /// <returns>A task that completes when the workers have exited.</returns>
    public ValueTask DisposeAsync() => new(ShutdownAsync());

    private (int ChunkSize, int BufferSize) ValidateMap<T, TResult>(
        Func<T, TResult> function,
        IEnumerable<T> source,
        TimeSpan? timeout,
        int chunkSize,
        int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(source);
        Deadline.Validate(timeout, nameof(timeout));
        if (chunkSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be 0 (let the executor choose) or positive.");
        }
        if (bufferSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "bufferSize must be 0 (let the executor choose) or positive.");
        }
        ThrowIfShutdown();
        return (chunkSize == 0 ? 1 : chunkSize, bufferSize == 0 ? 2 * MaxWorkers : bufferSize);
    }

    private Task<TResult> SubmitItem<T, TResult>(Func<T, TResult> function, T item, CancellationToken token) =>
        Enqueue(new FuncWorkItem<T, TResult>(function, item), token);

    private Task<TResult[]> SubmitChunk<T, TResult>(Func<T, TResult> function, T[] items, CancellationToken token) =>
        Enqueue(new ChunkWorkItem<T, TResult>(function, items), token);

    private void ThrowIfShutdown()
    {
        if (_shutdown)
        {
            throw new InvalidOperationException(
                "Cannot schedule new work after the ThreadPoolExecutor has been shut down or disposed; create a new executor.");
        }
    }

    private Task<TResult> Enqueue<TResult>(WorkItem<TResult> item, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            ThrowIfShutdown();
            return Task.FromCanceled<TResult>(cancellationToken);
        }
        if (Volatile.Read(ref _broken) is { } broken)
        {
            ThrowIfShutdown();
            return Task.FromException<TResult>(broken);
        }
        item.RegisterCancellation(cancellationToken);
        lock (_lock)
        {
            // Checked under the lock so that no item slips in after shutdown has counted the threads to wake.
            ThrowIfShutdown();
            _queue.Enqueue(item);
            var pending = Interlocked.Increment(ref _pending);
            if (pending > Volatile.Read(ref _idle) && _threads.Count < MaxWorkers)
            {
                StartThread();
            }
        }
        _workAvailable.Release();
        return item.Task;
    }

    private void StartThread()
    {
        var thread = new Thread(WorkerLoop)
        {
            IsBackground = true,
            Name = $"{_threadNamePrefix}_{_threads.Count}",
        };
        _threads.Add(thread);
        _liveThreads++;
        thread.UnsafeStart();
    }

    private void BeginShutdown(bool cancelPending)
    {
        int wake;
        lock (_lock)
        {
            if (!_shutdown)
            {
                _shutdown = true;
                wake = _threads.Count;
                if (wake == 0)
                {
                    _allExited.TrySetResult();
                }
            }
            else
            {
                wake = 0;
            }
        }
        if (cancelPending)
        {
            // Items taken here are cancelled; their semaphore counts remain and merely wake workers that find nothing.
            while (_queue.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _pending);
                item.Cancel();
            }
        }
        if (wake > 0)
        {
            _workAvailable.Release(wake);
        }
    }

    private void WorkerLoop()
    {
        try
        {
            if (_initializer is not null && Volatile.Read(ref _broken) is null)
            {
                try
                {
                    _initializer();
                }
                catch (Exception ex)
                {
                    Break(ex);
                }
            }
            // The worker counts itself idle from here until it takes an item, and again from the moment its item's
            // outcome is known (before publishing it), so that a submitter reacting to a result reuses this thread
            // instead of starting another: CPython's idle semaphore, without its race.
            Interlocked.Increment(ref _idle);
            while (true)
            {
                WaitForWork();
                Interlocked.Decrement(ref _idle);
                if (!_queue.TryDequeue(out var item))
                {
                    if (_shutdown)
                    {
                        // Pass the wake-up on, so every worker sees the shutdown (CPython re-queues its None).
                        _workAvailable.Release();
                        return;
                    }
                    Interlocked.Increment(ref _idle);
                    continue;
                }
                Interlocked.Decrement(ref _pending);
                if (Volatile.Read(ref _broken) is { } broken)
                {
                    item.Fault(broken);
                }
                else if (item.TryStart())
                {
                    item.Execute();
                    Interlocked.Increment(ref _idle);
                    item.Publish();
                    continue;
                }
                Interlocked.Increment(ref _idle);
            }
        }
        finally
        {
            bool last;
            lock (_lock)
            {
                last = --_liveThreads == 0 && _shutdown;
            }
            if (last)
            {
                _allExited.TrySetResult();
            }
        }
    }

    private void WaitForWork()
    {
        // Spin briefly before blocking, as the .NET thread pool's workers do: work submitted in a steady stream is
        // picked up without the cost of waking a sleeping thread (most of Submit-to-result latency otherwise).
        var spinner = new SpinWait();
        for (var i = 0; i < WorkerSpinCount; i++)
        {
            if (_workAvailable.CurrentCount > 0 && _workAvailable.Wait(0))
            {
                return;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        _workAvailable.Wait();
    }

    private void Break(Exception initializerError)
    {
        Interlocked.CompareExchange(
            ref _broken,
            new BrokenExecutorException(
                "A ThreadPoolExecutor initializer threw, so the executor cannot run work any more; see the inner exception, fix the initializer and create a new executor.",
                initializerError),
            null);
        // Fault everything queued; later submissions fault at once.
        while (_queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pending);
            item.Fault(_broken!);
        }
    }
}
