using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>
/// The engine of <see cref="ThreadPoolExecutor"/>: the work queue, the lazily started worker threads and shutdown.
/// </summary>
/// <remarks>
/// <para>
/// Data flow: <c>Enqueue</c> puts a <see cref="ThreadWorkItem"/> on a <see cref="ConcurrentQueue{T}"/> and releases one count
/// of a <see cref="SemaphoreSlim"/>; a worker spins briefly, then blocks on the semaphore, takes the item, runs it and
/// publishes its outcome to the item's task. Shutdown releases one extra count per worker; a worker that wakes to an
/// empty queue after shutdown passes the wake-up on and exits.
/// </para>
/// <para>
/// The worker threads reference only this engine, never the public <see cref="ThreadPoolExecutor"/>, so an executor
/// that is dropped without being disposed can be finalized, which shuts the engine down and lets the threads exit
/// (CPython's <c>weakref</c> callback in <c>thread.py</c>).
/// </para>
/// </remarks>
#pragma warning disable CA1001 // _workAvailable is never disposed: workers may still be waking on it during shutdown.
internal sealed class ThreadPoolEngine
#pragma warning restore CA1001
{
    private readonly ConcurrentQueue<ThreadWorkItem> _queue = new();

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

    public ThreadPoolEngine(int maxWorkers, string threadNamePrefix, Action? initializer)
    {
        MaxWorkers = maxWorkers;
        _threadNamePrefix = threadNamePrefix;
        _initializer = initializer;
    }

    public int MaxWorkers { get; }

    /// <summary>Gets the prefix of the worker threads' names, which also names the executor in its description.</summary>
    public string Name => _threadNamePrefix;

    /// <summary>Gets the number of worker threads that have started and not exited.</summary>
    public int LiveThreadCount => Volatile.Read(ref _liveThreads);

    /// <summary>Gets the number of workers waiting for work (or about to), a snapshot.</summary>
    public int IdleCount => Math.Max(0, Volatile.Read(ref _idle));

    /// <summary>Gets the number of items queued and not yet taken by a worker, a snapshot.</summary>
    public int QueuedCount => Math.Max(0, Volatile.Read(ref _pending));

    public bool IsShutdown => _shutdown;

    public bool IsBroken => Volatile.Read(ref _broken) is not null;

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
            // A worker that shuts its own executor down cannot wait for itself.
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
    }

    public Task ShutdownAsync(bool cancelPending = false)
    {
        BeginShutdown(cancelPending);
        return _allExited.Task;
    }

    public void ThrowIfShutdown()
    {
        if (_shutdown)
        {
            throw new InvalidOperationException(
                "Cannot schedule new work after the ThreadPoolExecutor has been shut down or disposed; create a new executor.");
        }
    }

    public Task<TResult> Enqueue<TResult>(ThreadWorkItem<TResult> item, CancellationToken cancellationToken)
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
        bool accepted;
        lock (_lock)
        {
            // Checked under the lock so that no item slips in after shutdown has counted the threads to wake.
            accepted = !_shutdown;
            if (accepted)
            {
                _queue.Enqueue(item);
                var pending = Interlocked.Increment(ref _pending);
                if (pending > Volatile.Read(ref _idle) && _threads.Count < MaxWorkers)
                {
                    StartThread();
                }
            }
        }
        if (!accepted)
        {
            item.Cancel(); // Drops the token registration.
            ThrowIfShutdown();
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
                if (!RunNext())
                {
                    // Pass the wake-up on, so every worker sees the shutdown (CPython re-queues its None).
                    _workAvailable.Release();
                    return;
                }
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

    /// <summary>
    /// Takes the next item, if any, and runs it (or faults it when the executor is broken), then counts the worker idle
    /// again. Returns <see langword="false"/> when the queue is empty after shutdown: the worker exits.
    /// </summary>
    /// <remarks>
    /// A method of its own so that the item is referenced only from this frame: once it returns, the worker waiting for
    /// its next item keeps nothing of the last one alive, neither the function with what it captured nor the result or
    /// exception (CPython's bpo-16284). A local of the loop in <see cref="WorkerLoop"/> would keep the item until it is
    /// overwritten by the next one: unoptimized code (a Debug build, tier-0 code) reports locals live to the end of the
    /// method. The idle count changes here because a worker counts itself idle before it publishes (see <see cref="WorkerLoop"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunNext()
    {
        if (!_queue.TryDequeue(out var item))
        {
            if (_shutdown)
            {
                return false;
            }
            Interlocked.Increment(ref _idle);
            return true;
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
            return true;
        }
        Interlocked.Increment(ref _idle);
        return true;
    }

    private void WaitForWork()
    {
        // Spin briefly before blocking, as the .NET thread pool's workers do (Spinning.WorkRounds says why).
        if (!Spinning.SpinUntil(_workAvailable, static work => work.CurrentCount > 0 && work.Wait(0), Spinning.WorkRounds))
        {
            _workAvailable.Wait();
        }
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
