using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>Dispatch: which queued task goes to which worker, and when (everything here runs under the gate).</summary>
internal sealed partial class ProcessPoolEngine
{
    // ---- Dispatch (under the gate) ----

    /// <summary>
    /// The most tasks a worker holds at once: the one it runs and those waiting in its pipe behind it (1 turns waiting
    /// in the pipe off). <c>CONCUR_PIPELINE_DEPTH</c> overrides it, for measurements.
    /// </summary>
    internal static readonly int PipelineDepth =
        int.TryParse(Environment.GetEnvironmentVariable("CONCUR_PIPELINE_DEPTH"), out int depth) ? Math.Clamp(depth, 1, 16) : 16;

    /// <summary>
    /// The largest call frame that may wait in a worker's pipe. With at most <see cref="PipelineDepth"/> of them behind a
    /// running task's own frames (each under <see cref="SmallFrame"/>), a worker's pipe never fills, so a reader
    /// thread's write of a small frame never blocks.
    /// </summary>
    private const int PipelinedFrame = 512;

    private void DispatchLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (_workers.Count == 0)
        {
            return;
        }
        // First every idle worker takes a task, starting at a rotating worker to spread work.
        int n = _workers.Count;
        int startAt = _roundRobin++ % n;
        for (int k = 0; k < n && _queuedCount > 0; k++)
        {
            WorkerProcess w = _workers[(startAt + k) % n];
            if (CanTake(w) && TakeQueuedFor(w, pipelined: false) is { } item)
            {
                AssignLocked(w, item);
                (flush ??= []).Add(w);
            }
        }
        if (_queuedCount > 0)
        {
            PipelineLocked(ref flush);
        }
        else
        {
            RebalanceLocked(ref flush);
        }
    }

    /// <summary>
    /// Then, while tasks are queued, busy workers take more, one round at a time, to wait in their pipes: the worker
    /// starts the next the moment it answers, with no round trip to the parent in between (CPython's executor queues
    /// one extra call the same way). Only tasks that cannot be stopped while running (no timeout, no token) and whose
    /// frames are small wait there; the others wait for an idle worker, so their clock starts when they start.
    /// </summary>
    /// <remarks>
    /// A worker is topped up only once it holds half of <see cref="PipelineDepth"/> or fewer, and then to the full
    /// depth: its frames go out in one write, and it still has tasks to run when they arrive, so it does not go to
    /// sleep on its pipe and need waking for each task (on this kind of machine a wake-up costs more than a task).
    /// </remarks>
    private void PipelineLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        List<WorkerProcess>? topUp = null;
        foreach (WorkerProcess w in _workers)
        {
            if (CanQueueBehind(w) && w.Outstanding.Count <= PipelineDepth / 2)
            {
                (topUp ??= []).Add(w);
            }
        }
        // One task per worker per round, so that a short queue spreads over the workers instead of filling the first.
        while (topUp is { Count: > 0 } && _queuedCount > 0)
        {
            for (int i = topUp.Count - 1; i >= 0 && _queuedCount > 0; i--)
            {
                WorkerProcess w = topUp[i];
                if (w.Outstanding.Count < PipelineDepth && TakeQueuedFor(w, pipelined: true) is { } item)
                {
                    AssignLocked(w, item);
                    if (flush is null || !flush.Contains(w))
                    {
                        (flush ??= []).Add(w);
                    }
                }
                else
                {
                    topUp.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// When the queue is empty and a worker idles while tasks wait in another's pipe, takes the last of them back and
    /// gives it to the idle worker: no task waits behind a long one while a worker idles.
    /// </summary>
    private void RebalanceLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        foreach (WorkerProcess idle in _workers)
        {
            if (!CanTake(idle) || !idle.Ready)
            {
                continue;
            }
            WorkItem? waiting = null;
            WorkerProcess? from = null;
            foreach (WorkerProcess w in _workers)
            {
                if (LastWaiting(w) is { } last && (from is null || w.Outstanding.Count > from.Outstanding.Count))
                {
                    (from, waiting) = (w, last);
                }
            }
            if (from is null || waiting is null || !TryRevokeLocked(from, waiting))
            {
                return;
            }
            waiting.State = WorkState.Queued;
            waiting.Worker = null;
            _queue.AddFirst(waiting);
            _queuedCount++;
            if (TakeQueuedFor(idle, pipelined: false) is { } item)
            {
                AssignLocked(idle, item);
                (flush ??= []).Add(idle);
            }
        }
    }

    /// <summary>Gets the last task waiting in <paramref name="w"/>'s pipe behind the one it runs, if any.</summary>
    private static WorkItem? LastWaiting(WorkerProcess w)
    {
        if (w.Dead || w.Claims is null || w.Outstanding.Count < 2)
        {
            return null;
        }
        WorkItem? last = null;
        bool first = true;
        foreach (WorkItem item in w.Outstanding)
        {
            if (!first && !w.IsRevoked(item))
            {
                last = item;
            }
            first = false;
        }
        return last;
    }

    /// <summary>
    /// Takes <paramref name="item"/>, waiting in <paramref name="w"/>'s pipe, back if the worker has not started it.
    /// It stays in the worker's list until the worker answers Skipped; the caller decides where the item goes.
    /// </summary>
    private bool TryRevokeLocked(WorkerProcess w, WorkItem item)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (w.Claims is null || !w.Claims.TryRevoke(item.Id))
        {
            return false;
        }
        w.Revoked.Add(item.Id);
        w.Assigned--; // It will not run there: it does not count towards the worker's maxTasksPerChild.
        w.Retiring = _maxTasksPerChild > 0 && w.Assigned >= _maxTasksPerChild;
        return true;
    }

    /// <summary>Removes and returns the first queued task <paramref name="w"/> may take now (dropping cancelled ones).</summary>
    private WorkItem? TakeQueuedFor(WorkerProcess w, bool pipelined)
    {
        while (_queuedCount > 0)
        {
            WorkItem item = _queue.First!.Value;
            if (item.State != WorkState.Queued)
            {
                _queue.RemoveFirst(); // Cancelled while queued.
                continue;
            }
            if (pipelined ? !MayWaitIn(w, item) : !w.Ready && item.Stoppable)
            {
                // Not to this worker now (a stoppable task's clock must start when it really starts; a task that may
                // not wait in a pipe waits for an idle worker): the queue keeps its order.
                return null;
            }
            _queue.RemoveFirst();
            _queuedCount--;
            return item;
        }
        return null;
    }

    /// <remarks>
    /// A worker takes a task when it holds none. A worker still starting may already get one (non-stoppable)
    /// task: its frames wait in the pipe, so the worker runs the task as soon as it is up instead of first telling the
    /// parent "ready" and waiting for an answer (saves a round trip and two thread wake-ups on the path from pool
    /// creation to first result).
    /// </remarks>
    private static bool CanTake(WorkerProcess w) =>
        !w.Dead && !w.Retiring && !w.ExitSent && w.Outstanding.Count == 0;

    private static bool CanQueueBehind(WorkerProcess w) =>
        w.Claims is not null && w.Ready && !w.Dead && !w.Retiring && !w.ExitSent &&
        w.Outstanding.Count > 0 && w.Outstanding.Count < PipelineDepth;

    /// <summary>Whether <paramref name="item"/> may wait in <paramref name="w"/>'s pipe: nothing else to send first, a small frame, a free claim slot.</summary>
    private static bool MayWaitIn(WorkerProcess w, WorkItem item) =>
        !item.Stoppable && item.Frame.Array is { Length: <= PipelinedFrame } &&
        w.Defined.Contains(item.Function.Id) && w.AllowlistVersion == ProcessTypeAllowlist.Version &&
        TaskClaims.IsFree(item.Id, w.Outstanding);

    private void AssignLocked(WorkerProcess w, WorkItem item)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        int allowlist = ProcessTypeAllowlist.Version;
        if (w.AllowlistVersion != allowlist)
        {
            w.SendQueue.Enqueue(ToWorker.AllowTypes.Current());
            w.AllowlistVersion = allowlist;
        }
        if (w.Defined.Add(item.Function.Id))
        {
            w.SendQueue.Enqueue(ToWorker.Define.Of(item.Function));
        }
        w.Claims?.Offer(item.Id);
        w.SendQueue.Enqueue(item.Frame);
        item.State = WorkState.Sent;
        item.Worker = w;
        w.Outstanding.Enqueue(item);
        if (w.Outstanding.Count == 1 && w.Ready)
        {
            StartedLocked(item);
        }
        w.Assigned++;
        if (_maxTasksPerChild > 0 && w.Assigned >= _maxTasksPerChild)
        {
            w.Retiring = true;
        }
    }

    private void StartedLocked(WorkItem item)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        item.StartedAt = Stopwatch.GetTimestamp();
        if (item.Timeout is not null)
        {
            _supervisorEvents.Add(null); // Wake the supervisor: there is a new deadline.
        }
    }

    private void RetireIdleLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        bool drained = _shutdown && _queuedCount == 0;
        foreach (WorkerProcess w in _workers)
        {
            if (!w.ExitSent && !w.Dead && w.Outstanding.Count == 0 && (drained || w.Retiring))
            {
                w.SendQueue.Enqueue(ToWorker.Exit.Encode());
                w.ExitSent = true;
                (flush ??= []).Add(w);
            }
        }
    }

    private void CheckAllExitedLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (_shutdown && _workers.Count == 0 && _spawning == 0 && _queuedCount == 0)
        {
            _allExited.TrySetResult();
            _supervisorEvents.Add(null);
        }
    }

    private void OnCancel(WorkItem item)
    {
        WorkerProcess? kill = null;
        bool cancelNow = false;
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            if (item.State == WorkState.Queued)
            {
                item.State = WorkState.Done;
                _queuedCount--;
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
}
