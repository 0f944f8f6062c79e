using System.Buffers;
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
///  Submit ──► queue ──(gate)──► worker.SendQueue ──► pipe ──► worker: read, run, write ──► pipe
///                                                                                      │
///  caller's Task ◄── WorkItem.Complete ◄── reader thread (one per worker) ◄────────────┘
///  supervisor thread: spawns and replaces workers, reaps the dead, enforces hard timeouts
/// </code>
/// <para>
/// Results never wait for supervision: each worker's reader thread completes tasks and hands the worker its next
/// ones; only deaths, spawns and deadlines go through the single supervisor thread (CPython's Pool does both on
/// one thread and pays for it).
/// </para>
/// <para>
/// A ready worker holds one task at a time, so "sent" means exactly "started": a queued task can always be cancelled
/// without running, no task waits behind a long one while another worker idles, and killing a worker stops only its
/// task. The reader thread sends the next task the moment a result arrives. When a worker dies, the task it held is
/// the one that killed it; a task given to a worker that never came up goes back to the front of the queue.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The event queue lives as long as the supervisor thread, which ends with the pool.")]
internal sealed class ProcessPoolEngine
{
    /// <summary>Frames up to this size are written by the reader thread itself: a worker holds one task at a time, so
    /// with at most a couple of them unread they always fit in the pipe's 64 KiB and the write cannot block (a blocked
    /// reader thread could deadlock with a worker blocked writing its result).</summary>
    private const int SmallFrame = 16 * 1024;

    /// <summary>Workers that die before saying "ready" this many times in a row mean workers cannot start at all.</summary>
    private const int MaxStartFailures = 3;

    private static int lastPoolId;

    private readonly Lock gate = new();
    private readonly LinkedList<WorkItem> queue = new();
    private readonly List<WorkerProcess> workers = [];
    private readonly BlockingCollection<Action?> supervisorEvents = new();
    private readonly TaskCompletionSource allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[]? initializeFrame;
    private readonly FunctionRef? initializer;
    private readonly int maxTasksPerChild;
    private readonly string namePrefix;
    private readonly IProcessPlatform platform = ProcessPlatform.Current;
    private readonly IReadOnlyDictionary<string, string>? workerEnvironment;
    private int queuedCount;
    private int spawning;
    private int workerCount;
    private bool shutdown;
    private BrokenExecutorException? broken;
    private int startFailures;
    private int roundRobin;

    public ProcessPoolEngine(string kind, int maxWorkers, FunctionRef? initializer, byte[]? initializeFrame, int maxTasksPerChild,
        IReadOnlyDictionary<string, string>? workerEnvironment = null)
    {
        this.workerEnvironment = workerEnvironment;
        platform.ThrowIfUnsupported();
        LaunchPlan.Current.ThrowIfUnusable();
        MaxWorkers = maxWorkers;
        this.initializer = initializer;
        this.initializeFrame = initializeFrame;
        this.maxTasksPerChild = maxTasksPerChild;
        namePrefix = $"{kind}-{Interlocked.Increment(ref lastPoolId)}";
        var supervisor = new Thread(Supervise) { IsBackground = true, Name = $"Concur supervisor {namePrefix}" };
        supervisor.Start();
        lock (gate)
        {
            spawning = maxWorkers;
        }
        for (int i = 0; i < maxWorkers; i++)
        {
            supervisorEvents.Add(Spawn);
        }
    }

    /// <summary>Gets the number of workers.</summary>
    public int MaxWorkers { get; }

    /// <summary>Gets a value indicating whether shutdown has begun.</summary>
    public bool IsShutdown
    {
        get
        {
            lock (gate)
            {
                return shutdown;
            }
        }
    }

    /// <summary>Gets a task that completes when shutdown has begun and every worker has exited.</summary>
    public Task Exited => allExited.Task;

    /// <summary>Gets the process ids of the live workers (for diagnostics and tests).</summary>
    public IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (gate)
            {
                return workers.Where(w => !w.Dead).Select(w => w.Pid).ToArray();
            }
        }
    }

    /// <summary>Gets a value indicating whether the pool is broken (its initializer threw, or workers cannot start).</summary>
    public bool IsBroken
    {
        get
        {
            lock (gate)
            {
                return broken is not null;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> (and sends it at once if a worker can take it).</summary>
    /// <remarks>On a broken pool the item faults at once with <see cref="BrokenExecutorException"/>.</remarks>
    /// <exception cref="InvalidOperationException">The pool is shut down.</exception>
    public void Enqueue(WorkItem item)
    {
        List<WorkerProcess>? flush = null;
        lock (gate)
        {
            if (broken is not null)
            {
                item.State = WorkState.Done;
                item.Fail(broken);
                return;
            }
            ThrowIfClosedLocked();
            item.State = WorkState.Queued;
            queue.AddLast(item);
            queuedCount++;
            DispatchLocked(ref flush);
        }
        FlushAll(flush, mayBlock: true);
        item.Register(OnCancel);
    }

    /// <summary>Cancels <paramref name="item"/> only if it has not been sent to a worker yet.</summary>
    public bool TryCancelQueued(WorkItem item)
    {
        List<WorkerProcess>? flush = null;
        lock (gate)
        {
            if (item.State != WorkState.Queued)
            {
                return false;
            }
            item.State = WorkState.Done;
            queuedCount--;
            RetireIdleLocked(ref flush);
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
        lock (gate)
        {
            shutdown = true;
            if (cancelPending)
            {
                cancelled = TakeQueuedLocked();
            }
            RetireIdleLocked(ref flush);
            CheckAllExitedLocked();
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
        lock (gate)
        {
            shutdown = true;
            cancelled = TakeQueuedLocked();
            foreach (WorkerProcess w in workers)
            {
                foreach (WorkItem item in w.Outstanding)
                {
                    if (item.StopReason == StopReason.None)
                    {
                        item.StopReason = StopReason.Cancelled;
                    }
                }
                w.ExitSent = true;
            }
            all = workers.ToArray();
            CheckAllExitedLocked();
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

    private void ThrowIfClosedLocked()
    {
        if (shutdown)
        {
            throw new InvalidOperationException("The process pool has been shut down; create a new pool to run more work.");
        }
    }

    private List<WorkItem> TakeQueuedLocked()
    {
        var taken = new List<WorkItem>();
        foreach (WorkItem item in queue)
        {
            if (item.State == WorkState.Queued)
            {
                item.State = WorkState.Done;
                taken.Add(item);
            }
        }
        queue.Clear();
        queuedCount = 0;
        return taken;
    }

    // ---- Dispatch (under the gate) ----

    private void DispatchLocked(ref List<WorkerProcess>? flush)
    {
        if (queuedCount == 0 || workers.Count == 0)
        {
            return;
        }
        // One task per worker (sent = started; see the class remarks), starting at a rotating worker to spread work.
        int n = workers.Count;
        int startAt = roundRobin++ % n;
        for (int k = 0; k < n && queuedCount > 0; k++)
        {
            WorkerProcess w = workers[(startAt + k) % n];
            while (queuedCount > 0 && CanTake(w))
            {
                WorkItem item = queue.First!.Value;
                if (item.State != WorkState.Queued)
                {
                    queue.RemoveFirst(); // Cancelled while queued.
                    continue;
                }
                if (!w.Ready && item.Stoppable)
                {
                    break; // Its clock must start when it really starts.
                }
                queue.RemoveFirst();
                queuedCount--;
                AssignLocked(w, item);
                (flush ??= []).Add(w);
            }
        }
    }

    /// <remarks>
    /// A worker takes a task only when it holds none. A worker still starting may already get one (non-stoppable)
    /// task: its frames wait in the pipe, so the worker runs the task as soon as it is up instead of first telling the
    /// parent "ready" and waiting for an answer (saves a round trip and two thread wake-ups on the path from pool
    /// creation to first result).
    /// </remarks>
    private static bool CanTake(WorkerProcess w) =>
        !w.Dead && !w.Retiring && !w.ExitSent && w.Outstanding.Count == 0;

    private void AssignLocked(WorkerProcess w, WorkItem item)
    {
        int allowlist = ProcessTypeAllowlist.Version;
        if (w.AllowlistVersion != allowlist)
        {
            w.SendQueue.Enqueue(Frame.AllowTypes());
            w.AllowlistVersion = allowlist;
        }
        if (w.Defined.Add(item.Function.Id))
        {
            w.SendQueue.Enqueue(Frame.WithBody(FrameKind.Define, item.Function.Id, item.Function.Definition));
        }
        w.SendQueue.Enqueue(item.Frame);
        item.State = WorkState.Sent;
        item.Worker = w;
        w.Outstanding.Enqueue(item);
        if (w.Outstanding.Count == 1 && w.Ready)
        {
            StartedLocked(item);
        }
        w.Assigned++;
        if (maxTasksPerChild > 0 && w.Assigned >= maxTasksPerChild)
        {
            w.Retiring = true;
        }
    }

    private void StartedLocked(WorkItem item)
    {
        item.StartedAt = Stopwatch.GetTimestamp();
        if (item.Timeout is not null)
        {
            supervisorEvents.Add(null); // Wake the supervisor: there is a new deadline.
        }
    }

    private void RetireIdleLocked(ref List<WorkerProcess>? flush)
    {
        bool drained = shutdown && queuedCount == 0;
        foreach (WorkerProcess w in workers)
        {
            if (!w.ExitSent && !w.Dead && w.Outstanding.Count == 0 && (drained || w.Retiring))
            {
                w.SendQueue.Enqueue(Frame.Empty(FrameKind.Exit, 0));
                w.ExitSent = true;
                (flush ??= []).Add(w);
            }
        }
    }

    private void CheckAllExitedLocked()
    {
        if (shutdown && workers.Count == 0 && spawning == 0 && queuedCount == 0)
        {
            allExited.TrySetResult();
            supervisorEvents.Add(null);
        }
    }

    // ---- Sending ----

    private void FlushAll(List<WorkerProcess>? flush, bool mayBlock)
    {
        if (flush is null)
        {
            return;
        }
        WorkerProcess? previous = null;
        foreach (WorkerProcess w in flush)
        {
            if (!ReferenceEquals(w, previous))
            {
                Flush(w, mayBlock);
                previous = w;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="w"/>'s queued frames. Whoever holds its send lock writes everything queued, and
    /// rechecks after letting go, so a thread that finds the lock taken can simply leave its frames to the holder.
    /// </summary>
    private void Flush(WorkerProcess w, bool mayBlock)
    {
        byte[]? coalesced = null;
        while (true)
        {
            if (!w.SendLock.TryEnter())
            {
                return;
            }
            bool handOff = false;
            try
            {
                while (true)
                {
                    int length = 0;
                    byte[]? single = null;
                    lock (gate)
                    {
                        if (w.SendQueue.Count == 0)
                        {
                            break;
                        }
                        if (!mayBlock && w.SendQueue.Peek().Length > SmallFrame)
                        {
                            handOff = true;
                            break;
                        }
                        if (w.SendQueue.Count == 1 || w.SendQueue.Peek().Length > SmallFrame)
                        {
                            single = w.SendQueue.Dequeue();
                        }
                        else
                        {
                            // Several small frames: one write system call for all of them.
                            coalesced ??= ArrayPool<byte>.Shared.Rent(64 * 1024);
                            while (w.SendQueue.Count > 0 && length + w.SendQueue.Peek().Length <= coalesced.Length)
                            {
                                byte[] frame = w.SendQueue.Dequeue();
                                frame.CopyTo(coalesced, length);
                                length += frame.Length;
                            }
                        }
                    }
                    try
                    {
                        if (single is not null)
                        {
                            w.ToWorker.Write(single);
                        }
                        else
                        {
                            w.ToWorker.Write(coalesced!, 0, length);
                        }
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The worker is gone; its reader thread reports the death and the tasks are re-queued.
                        lock (gate)
                        {
                            w.SendQueue.Clear();
                        }
                        break;
                    }
                }
            }
            finally
            {
                w.SendLock.Exit();
            }
            if (handOff)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Engine.Flush(state.Worker, mayBlock: true), (Engine: this, Worker: w), preferLocal: false);
                break;
            }
            lock (gate)
            {
                if (w.SendQueue.Count == 0)
                {
                    break;
                }
            }
        }
        if (coalesced is not null)
        {
            ArrayPool<byte>.Shared.Return(coalesced);
        }
    }

    // ---- Result path (reader threads) ----

    private void StartReader(WorkerProcess w)
    {
        var thread = new Thread(() => Read(w)) { IsBackground = true, Name = $"Concur reader {w.Name}" };
        thread.Start();
    }

    private void Read(WorkerProcess w)
    {
        var reader = new FrameReader(w.FromWorker);
        try
        {
            while (reader.TryRead(out FrameKind kind, out long id, out ReadOnlyMemory<byte> body))
            {
                switch (kind)
                {
                    case FrameKind.Ready:
                        OnReady(w);
                        break;
                    case FrameKind.Result:
                    case FrameKind.Error:
                        OnAnswer(w, id, kind, body);
                        break;
                    case FrameKind.InitializeFailed:
                        w.InitializeError = RemoteError.Read(body);
                        break;
                    default:
                        throw new InvalidDataException($"Unexpected frame {kind} from worker {w.Pid}.");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException)
        {
            // Treated as the worker's death below: the worker is killed and replaced.
            w.Kill();
        }
        supervisorEvents.Add(() => OnWorkerEnded(w));
    }

    private void OnReady(WorkerProcess w)
    {
        List<WorkerProcess>? flush = null;
        lock (gate)
        {
            w.Ready = true;
            startFailures = 0;
            if (w.Outstanding.Count > 0)
            {
                StartedLocked(w.Outstanding.Peek());
            }
            DispatchLocked(ref flush);
            RetireIdleLocked(ref flush);
        }
        FlushAll(flush, mayBlock: false);
    }

    private void OnAnswer(WorkerProcess w, long id, FrameKind kind, ReadOnlyMemory<byte> body)
    {
        List<WorkerProcess>? flush = null;
        WorkItem item;
        lock (gate)
        {
            if (w.Outstanding.Count == 0 || w.Outstanding.Peek().Id != id)
            {
                throw new InvalidDataException($"Worker {w.Pid} answered task {id}, which it was not running.");
            }
            item = w.Outstanding.Dequeue();
            item.State = WorkState.Done;
            if (w.Outstanding.Count > 0)
            {
                StartedLocked(w.Outstanding.Peek());
            }
            DispatchLocked(ref flush);
            RetireIdleLocked(ref flush);
        }
        // Hand the worker its next frames before completing (the caller's continuation runs elsewhere anyway).
        FlushAll(flush, mayBlock: false);
        if (kind == FrameKind.Result)
        {
            item.Complete(body);
        }
        else
        {
            item.Fail(RemoteError.Read(body));
        }
    }

    private void OnCancel(WorkItem item)
    {
        WorkerProcess? kill = null;
        bool cancelNow = false;
        List<WorkerProcess>? flush = null;
        lock (gate)
        {
            if (item.State == WorkState.Queued)
            {
                item.State = WorkState.Done;
                queuedCount--;
                cancelNow = true;
                RetireIdleLocked(ref flush);
            }
            else if (item.State == WorkState.Sent && item.StopReason == StopReason.None && item.Worker is { } w &&
                     w.Outstanding.Count > 0 && ReferenceEquals(w.Outstanding.Peek(), item))
            {
                item.StopReason = StopReason.Cancelled;
                kill = w;
            }
        }
        if (cancelNow)
        {
            item.Cancel();
        }
        kill?.Kill();
        FlushAll(flush, mayBlock: true);
    }

    // ---- Supervision (one thread) ----

    private void Supervise()
    {
        while (true)
        {
            TimeSpan wait = NextDeadline();
            if (supervisorEvents.TryTake(out Action? action, wait))
            {
                action?.Invoke();
            }
            EnforceDeadlines();
            if (allExited.Task.IsCompleted && supervisorEvents.Count == 0)
            {
                return;
            }
        }
    }

    private void Spawn()
    {
        string name = $"{namePrefix}-Worker-{Interlocked.Increment(ref workerCount)}";
        SpawnedProcess spawned;
        try
        {
            spawned = ProcessSpawner.Spawn(name, dieWithParent: true, environment: workerEnvironment);
        }
        catch (Exception e)
        {
            List<WorkItem> failed;
            lock (gate)
            {
                spawning--;
                broken ??= new BrokenExecutorException($"The process pool is broken: it could not start a worker process ({e.Message}).", e);
                failed = TakeQueuedLocked();
                CheckAllExitedIfBrokenLocked();
            }
            FailAll(failed);
            return;
        }
        var w = new WorkerProcess(spawned, name);
        List<WorkerProcess>? flush = null;
        lock (gate)
        {
            spawning--;
            workers.Add(w);
            if (initializer is not null)
            {
                w.AllowlistVersion = ProcessTypeAllowlist.Version;
                w.SendQueue.Enqueue(Frame.AllowTypes());
                w.Defined.Add(initializer.Id);
                w.SendQueue.Enqueue(Frame.WithBody(FrameKind.Define, initializer.Id, initializer.Definition));
                w.SendQueue.Enqueue(initializeFrame!);
                (flush ??= []).Add(w);
            }
        }
        StartReader(w);
        FlushAll(flush, mayBlock: true);
    }

    private void OnWorkerEnded(WorkerProcess w)
    {
        if (!w.Process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            w.Kill();
            w.Process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        ExitStatus status = w.Process.HasExited ? platform.DecodeExitStatus(w.Process.ExitCode) : new ExitStatus(null, Signals.SIGKILL);
        WorkItem? head = null;
        List<WorkItem>? failed = null;
        bool respawn = false;
        lock (gate)
        {
            w.Dead = true;
            workers.Remove(w);
            if (w.Outstanding.Count > 0 && w.Ready)
            {
                head = w.Outstanding.Dequeue();
                head.State = WorkState.Done;
            }
            if (w.Outstanding.Count > 0)
            {
                // The rest never started (nothing did, if the worker never came up): back to the front of the queue.
                WorkItem[] rest = w.Outstanding.ToArray();
                w.Outstanding.Clear();
                for (int i = rest.Length - 1; i >= 0; i--)
                {
                    rest[i].State = WorkState.Queued;
                    rest[i].Worker = null;
                    queue.AddFirst(rest[i]);
                    queuedCount++;
                }
            }
            if (w.InitializeError is not null)
            {
                broken ??= new BrokenExecutorException(
                    $"The process pool is broken: its initializer threw in worker {w.Pid} ({w.InitializeError.RemoteTypeName}: " +
                    $"{w.InitializeError.Message}); fix the initializer and create a new pool.",
                    w.InitializeError);
            }
            else if (!w.Ready && !w.ExitSent && ++startFailures >= MaxStartFailures)
            {
                broken ??= new BrokenExecutorException(
                    $"The process pool is broken: worker processes exit before they start ({status}); see the worker's output on standard error. " +
                    $"The host command was: {LaunchPlan.Current.FileName} {string.Join(' ', LaunchPlan.Current.Prefix)}");
            }
            if (broken is not null)
            {
                failed = TakeQueuedLocked();
                CheckAllExitedIfBrokenLocked();
            }
            else
            {
                respawn = (!shutdown || queuedCount > 0) && workers.Count + spawning < MaxWorkers;
                if (respawn)
                {
                    spawning++;
                }
                CheckAllExitedLocked();
            }
        }
        w.Release();
        if (head is not null)
        {
            switch (head.StopReason)
            {
                case StopReason.Timeout:
                    head.Fail(new TimeoutException(
                        $"{head.Description} ran longer than its timeout of {head.Timeout}; its worker process {w.Pid} was killed and replaced."));
                    break;
                case StopReason.Cancelled:
                    head.Cancel();
                    break;
                default:
                    head.Fail(w.InitializeError is not null && broken is not null
                        ? broken
                        : new WorkerCrashedException(w.Pid, status.ExitCode, status.Signal, head.Description));
                    break;
            }
        }
        if (failed is not null)
        {
            FailAll(failed);
        }
        if (respawn)
        {
            Spawn();
        }
    }

    private void CheckAllExitedIfBrokenLocked()
    {
        if (workers.Count == 0 && spawning == 0)
        {
            shutdown = true;
            CheckAllExitedLocked();
        }
    }

    private void FailAll(List<WorkItem> items)
    {
        foreach (WorkItem item in items)
        {
            item.Fail(broken!);
        }
    }

    private TimeSpan NextDeadline()
    {
        long now = Stopwatch.GetTimestamp();
        TimeSpan next = Timeout.InfiniteTimeSpan;
        lock (gate)
        {
            foreach (WorkerProcess w in workers)
            {
                if (w.Outstanding.Count > 0 && w.Outstanding.Peek() is { Timeout: TimeSpan limit, StopReason: StopReason.None } head)
                {
                    TimeSpan left = limit - Stopwatch.GetElapsedTime(head.StartedAt, now);
                    if (left < TimeSpan.Zero)
                    {
                        left = TimeSpan.Zero;
                    }
                    if (next == Timeout.InfiniteTimeSpan || left < next)
                    {
                        next = left;
                    }
                }
            }
        }
        return next;
    }

    private void EnforceDeadlines()
    {
        List<WorkerProcess>? kill = null;
        long now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            foreach (WorkerProcess w in workers)
            {
                if (w.Outstanding.Count > 0 && w.Outstanding.Peek() is { Timeout: TimeSpan limit, StopReason: StopReason.None } head &&
                    Stopwatch.GetElapsedTime(head.StartedAt, now) >= limit)
                {
                    head.StopReason = StopReason.Timeout;
                    (kill ??= []).Add(w);
                }
            }
        }
        if (kill is not null)
        {
            foreach (WorkerProcess w in kill)
            {
                w.Kill();
            }
        }
    }
}
