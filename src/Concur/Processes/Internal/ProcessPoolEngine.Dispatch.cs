using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>Dispatch: which queued task goes to which worker, and when (everything here runs under the gate).</summary>
internal sealed partial class ProcessPoolEngine
{
    // ---- Dispatch (under the gate) ----

    private void DispatchLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (_queuedCount == 0 || _workers.Count == 0)
        {
            return;
        }
        // One task per worker (sent = started; see the class remarks), starting at a rotating worker to spread work.
        int n = _workers.Count;
        int startAt = _roundRobin++ % n;
        for (int k = 0; k < n && _queuedCount > 0; k++)
        {
            WorkerProcess w = _workers[(startAt + k) % n];
            while (_queuedCount > 0 && CanTake(w))
            {
                WorkItem item = _queue.First!.Value;
                if (item.State != WorkState.Queued)
                {
                    _queue.RemoveFirst(); // Cancelled while queued.
                    continue;
                }
                if (!w.Ready && item.Stoppable)
                {
                    break; // Its clock must start when it really starts.
                }
                _queue.RemoveFirst();
                _queuedCount--;
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
