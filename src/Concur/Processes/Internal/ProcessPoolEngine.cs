using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Platform;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// The pool of warm worker processes behind <c>ProcessPoolExecutor</c> and <c>ProcessPool</c>.
/// </summary>
/// <remarks>
/// <code>
///  caller thread                 gate (one lock)                      worker process
///  ─────────────                 ───────────────                      ──────────────
///  Submit ─► CallFrames.Build ─► Enqueue ─► queue ─► DispatchLocked ─► w.SendQueue ─► Flush ─► pipe ─► WorkerHost:
///            (ToWorker.Call,      (WorkItem)          (idle workers      (OutgoingFrame:   (send    read, claim
///             checked at Submit)                       first, then up     array/segments)   lock)    (TaskClaims),
///                                                      to PipelineDepth                              run, answer
///                                                      waiting in pipes)                                 │
///  caller's Task ◄─ WorkItem.Complete/Fail ◄─ OnAnswer ◄─ Admit (strict state machine) ◄─ FrameReader ◄──┘
///                                              (reader thread, one per worker: FromWorker.Ready/Result/Error/…)
///
///  supervisor thread (one per pool): Spawn, OnWorkerEnded (reap, fail or re-queue, respawn), hard timeouts,
///  stalled frames. Files: Dispatch (queue to workers), Channel (send queue, reader, protocol), Supervision.
/// </code>
/// <para>
/// Results never wait for supervision: each worker's reader thread completes tasks and hands the worker its next
/// ones; only deaths, spawns and deadlines go through the single supervisor thread (CPython's Pool does both on
/// one thread and pays for it).
/// </para>
/// <para>
/// A busy worker may hold more tasks behind the one it runs, waiting in its pipe (the Dispatch file), so it goes from
/// one to the next without a round trip to the parent. Such a task is not started: the worker claims each task in
/// memory it shares with the parent (<see cref="TaskClaims"/>) before running it, and the parent can take a waiting
/// task back first. So a task not started can always be cancelled without running, no task waits behind a long one
/// while another worker idles (it is taken back and given to the idle one), and killing a worker stops only its
/// task. Only tasks that cannot be stopped while running (no timeout, no token) wait in a pipe; the others go to
/// idle workers only, so their clock starts when they start. When a worker dies, the task at the head of its list is
/// the one that killed it; the tasks behind it, and a task given to a worker that never came up, go back to the
/// front of the queue.
/// </para>
/// <para>
/// A worker is untrusted: whatever it writes to its result pipe, the parent kills and replaces that worker and fails
/// only its task (see the Channel file's state machine).
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The event queue lives as long as the supervisor thread, which ends with the pool.")]
internal sealed partial class ProcessPoolEngine
{
    /// <summary>Workers that die before saying "ready" this many times in a row mean workers cannot start at all.</summary>
    private const int MaxStartFailures = 3;

    private static int s_lastPoolId;
    private static int s_processExiting;

    private readonly Lock _gate = new();
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly BlockingCollection<Action?> _supervisorEvents = new();
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OutgoingFrame? _initializeFrame;
    private readonly ChannelLimits _limits;
    private readonly FunctionRef? _initializer;
    private readonly int _maxTasksPerChild;
    private readonly string _namePrefix;
    private readonly IProcessPlatform _platform = ProcessPlatform.Current;
    private readonly IReadOnlyDictionary<string, string>? _workerEnvironment;
    private int _queuedCount;
    private int _spawning;
    private int _workerCount;
    private bool _shutdown;
    private BrokenExecutorException? _broken;
    private string? _stoppedBy;
    private int _startFailures;
    private int _roundRobin;

    static ProcessPoolEngine() =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Volatile.Write(ref s_processExiting, 1);

    public ProcessPoolEngine(string kind, int maxWorkers, FunctionRef? initializer, OutgoingFrame? initializeFrame, int maxTasksPerChild,
        IReadOnlyDictionary<string, string>? workerEnvironment = null, ChannelLimits? limits = null)
    {
        _workerEnvironment = workerEnvironment;
        _limits = limits ?? ChannelLimits.Default;
        _platform.ThrowIfUnsupported();
        LaunchPlan.Current.ThrowIfUnusable();
        MaxWorkers = maxWorkers;
        _initializer = initializer;
        _initializeFrame = initializeFrame;
        _maxTasksPerChild = maxTasksPerChild;
        _namePrefix = $"{kind}-{Interlocked.Increment(ref s_lastPoolId)}";
        var supervisor = new Thread(Supervise) { IsBackground = true, Name = $"Concur supervisor {_namePrefix}" };
        supervisor.Start();
        lock (_gate)
        {
            _spawning = maxWorkers;
        }
        for (int i = 0; i < maxWorkers; i++)
        {
            _supervisorEvents.Add(Spawn);
        }
    }

    /// <summary>Gets the number of workers.</summary>
    public int MaxWorkers { get; }

    /// <summary>Gets a value indicating whether shutdown has begun.</summary>
    public bool IsShutdown
    {
        get
        {
            lock (_gate)
            {
                return _shutdown;
            }
        }
    }

    /// <summary>Gets a task that completes when shutdown has begun and every worker has exited.</summary>
    public Task Exited => _allExited.Task;

    /// <summary>Gets the process ids of the live workers (for diagnostics and tests).</summary>
    public IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_gate)
            {
                return _workers.Where(w => !w.Dead).Select(w => w.Pid).ToArray();
            }
        }
    }

    /// <summary>Describes the pool, for the debugger and logs: its size, state, live workers and queued tasks.</summary>
    /// <param name="kind">The public type's name.</param>
    /// <param name="size">The size as that type names it (for example <c>maxWorkers=2</c>).</param>
    public string Describe(string kind, string size)
    {
        lock (_gate)
        {
            string state = _broken is not null ? "broken" : _stoppedBy is not null ? $"stopped by {_stoppedBy}" : _shutdown ? "shut down" : "running";
            string pids = string.Join(", ", _workers.Where(w => !w.Dead).Select(w => w.Pid));
            return $"<{kind} {size} {state} workers=[{pids}] queued={_queuedCount}>";
        }
    }

    /// <summary>Gets, per live worker's process id, how many tasks wait in its pipe behind the one it runs (not taken back).</summary>
    public IReadOnlyDictionary<int, int> TasksWaitingInWorkers
    {
        get
        {
            lock (_gate)
            {
                return _workers.Where(w => !w.Dead).ToDictionary(w => w.Pid, w => w.Outstanding.Count(item => IsWaiting(w, item)));
            }
        }
    }

    /// <summary>Gets a value indicating whether the pool is broken (its initializer threw, or workers cannot start).</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken is not null;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> (and sends it at once if a worker can take it).</summary>
    /// <remarks>On a broken pool the item faults at once with <see cref="BrokenExecutorException"/>.</remarks>
    /// <exception cref="InvalidOperationException">The pool is shut down.</exception>
    public void Enqueue(WorkItem item)
    {
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            if (_broken is not null)
            {
                item.State = WorkState.Done;
                item.Fail(_broken);
                return;
            }
            ThrowIfClosedLocked();
            item.State = WorkState.Queued;
            _queue.AddLast(item);
            _queuedCount++;
            DispatchLocked(ref flush);
            AssertInvariants();
        }
        FlushAll(flush, mayBlock: true);
        item.Register(OnCancel);
    }

    /// <summary>Cancels <paramref name="item"/> only if it has not started: queued, or waiting in a worker's pipe.</summary>
    public bool TryCancelQueued(WorkItem item)
    {
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            if (item.State == WorkState.Queued)
            {
                _queuedCount--;
            }
            else if (!(item.State == WorkState.Sent && item.Worker is { Dead: false } w && IsWaiting(w, item) && TryRevokeLocked(w, item)))
            {
                return false;
            }
            item.State = WorkState.Done;
            RetireIdleLocked(ref flush);
            AssertInvariants();
        }
        item.Cancel();
        FlushAll(flush, mayBlock: true);
        return true;
    }

    /// <summary>Stops accepting work; optionally cancels queued work; lets workers exit once idle.</summary>
    public void Shutdown(bool cancelPending)
    {
        List<WorkItem>? cancelled = null;
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            _shutdown = true;
            if (cancelPending)
            {
                cancelled = TakeQueuedLocked();
                foreach (WorkerProcess w in _workers)
                {
                    cancelled.AddRange(RevokeWaitingLocked(w));
                }
            }
            RetireIdleLocked(ref flush);
            CheckAllExitedLocked();
            AssertInvariants();
        }
        if (cancelled is not null)
        {
            foreach (WorkItem item in cancelled)
            {
                item.Cancel();
            }
        }
        FlushAll(flush, mayBlock: true);
    }

    /// <summary>Kills every worker now and cancels all work (Python's Pool.terminate).</summary>
    public void Terminate()
    {
        List<WorkItem> cancelled;
        WorkerProcess[] all;
        lock (_gate)
        {
            _shutdown = true;
            cancelled = TakeQueuedLocked();
            foreach (WorkerProcess w in _workers)
            {
                cancelled.AddRange(RevokeWaitingLocked(w));
                foreach (WorkItem item in w.Outstanding)
                {
                    if (item.StopReason == StopReason.None && !w.IsRevoked(item))
                    {
                        item.StopReason = StopReason.Cancelled;
                    }
                }
                w.ExitSent = true;
            }
            all = _workers.ToArray();
            CheckAllExitedLocked();
            AssertInvariants();
        }
        foreach (WorkItem item in cancelled)
        {
            item.Cancel();
        }
        foreach (WorkerProcess w in all)
        {
            w.Kill();
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every worker and shuts the pool down (Python 3.14's
    /// <c>terminate_workers</c> / <c>kill_workers</c>): tasks not started fail at once, running ones when their worker
    /// is gone, each with a <see cref="BrokenExecutorException"/> that names <paramref name="operation"/>.
    /// </summary>
    public void StopWorkers(int signal, string operation)
    {
        List<WorkItem> pending;
        WorkerProcess[] all;
        lock (_gate)
        {
            _stoppedBy ??= operation;
            _shutdown = true;
            pending = TakeQueuedLocked();
            foreach (WorkerProcess w in _workers)
            {
                pending.AddRange(RevokeWaitingLocked(w));
                foreach (WorkItem item in w.Outstanding)
                {
                    if (item.StopReason == StopReason.None && !w.IsRevoked(item))
                    {
                        item.StopReason = StopReason.Stopped;
                    }
                }
                w.ExitSent = true;
            }
            all = _workers.ToArray();
            CheckAllExitedLocked();
            AssertInvariants();
        }
        foreach (WorkItem item in pending)
        {
            item.Fail(new BrokenExecutorException(
                $"{item.Description} did not run: {operation} stopped the pool's workers and shut the pool down."));
        }
        foreach (WorkerProcess w in all)
        {
            if (signal == Signals.SIGKILL || !_platform.SendSignal(w.Pid, signal))
            {
                w.Kill();
            }
        }
    }

    /// <summary>
    /// Refuses new work once the pool is shut down, stopped, or the process is exiting. Checked first at Submit, before
    /// any serialization and before the caller's token (a cancelled token must not hide a submission that is a bug).
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool takes no new work; the message says why.</exception>
    public void ThrowIfClosed()
    {
        lock (_gate)
        {
            if (_broken is null) // A broken pool answers with BrokenExecutorException, in Enqueue.
            {
                ThrowIfClosedLocked();
            }
        }
    }

    private void ThrowIfClosedLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (Volatile.Read(ref s_processExiting) != 0)
        {
            throw new InvalidOperationException(
                "The process is exiting (the end of Main, Environment.Exit or a signal): a process pool takes no new work " +
                "now. Submit work before the application starts to exit, and wait for it (or dispose the pool) in Main.");
        }
        if (_stoppedBy is not null)
        {
            throw new InvalidOperationException(
                $"The process pool's workers were stopped by {_stoppedBy} and the pool is shut down; create a new pool to run more work.");
        }
        if (_shutdown)
        {
            throw new InvalidOperationException("The process pool has been shut down; create a new pool to run more work.");
        }
    }

    /// <summary>Whether <paramref name="item"/> waits in <paramref name="w"/>'s pipe behind the task the worker runs (not taken back).</summary>
    private static bool IsWaiting(WorkerProcess w, WorkItem item) =>
        w.Outstanding.Count > 1 && !ReferenceEquals(w.Outstanding.Peek(), item) && !w.IsRevoked(item);

    /// <summary>Takes back every task waiting in <paramref name="w"/>'s pipe that it has not started; returns them, marked done.</summary>
    private List<WorkItem> RevokeWaitingLocked(WorkerProcess w)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        List<WorkItem> taken = [];
        if (w.Outstanding.Count < 2 || w.Claims is null)
        {
            return taken;
        }
        foreach (WorkItem item in w.Outstanding)
        {
            if (IsWaiting(w, item) && item.StopReason == StopReason.None && TryRevokeLocked(w, item))
            {
                item.State = WorkState.Done;
                taken.Add(item);
            }
        }
        return taken;
    }

    private List<WorkItem> TakeQueuedLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        var taken = new List<WorkItem>();
        foreach (WorkItem item in _queue)
        {
            if (item.State == WorkState.Queued)
            {
                item.State = WorkState.Done;
                taken.Add(item);
            }
        }
        _queue.Clear();
        _queuedCount = 0;
        return taken;
    }

    /// <summary>Checks, in DEBUG builds, what must hold whenever the gate is released.</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        int queued = 0;
        foreach (WorkItem item in _queue)
        {
            if (item.State == WorkState.Queued)
            {
                queued++;
                Debug.Assert(item.Worker is null, "A queued task belongs to no worker.");
            }
        }
        Debug.Assert(queued == _queuedCount, $"queuedCount is {_queuedCount} but {queued} tasks are queued.");
        Debug.Assert(_spawning >= 0 && _workers.Count + _spawning <= MaxWorkers, "At most MaxWorkers workers live or start.");
        Debug.Assert(_broken is null || _queuedCount == 0, "A broken pool queues nothing.");
        Debug.Assert(!_allExited.Task.IsCompleted || (_shutdown && _workers.Count == 0), "Exited means shut down with no workers.");
        foreach (WorkerProcess w in _workers)
        {
            Debug.Assert(!w.Dead, "A dead worker is no longer in the list.");
            Debug.Assert(w.Outstanding.Count <= PipelineDepth, "A worker holds at most PipelineDepth tasks.");
            Debug.Assert(w.Claims is not null || w.Outstanding.Count <= 1, "Without claims a worker holds at most one task (sent = started).");
            int revoked = 0;
            foreach (WorkItem item in w.Outstanding)
            {
                if (w.IsRevoked(item))
                {
                    revoked++;
                    continue;
                }
                Debug.Assert(item.State == WorkState.Sent && ReferenceEquals(item.Worker, w), "An outstanding task is sent to its worker.");
            }
            Debug.Assert(revoked == w.Revoked.Count, "Every task taken back is in the worker's list until it answers Skipped.");
        }
    }
}
