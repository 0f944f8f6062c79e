using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>Dispatch: which queued task goes to which worker, and when (everything here runs under the gate).</summary>
internal sealed partial class ProcessPoolEngine
{
    // ---- Dispatch (under the gate) ----

    private void DispatchLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
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
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
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
        if (maxTasksPerChild > 0 && w.Assigned >= maxTasksPerChild)
        {
            w.Retiring = true;
        }
    }

    private void StartedLocked(WorkItem item)
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
        item.StartedAt = Stopwatch.GetTimestamp();
        if (item.Timeout is not null)
        {
            supervisorEvents.Add(null); // Wake the supervisor: there is a new deadline.
        }
    }

    private void RetireIdleLocked(ref List<WorkerProcess>? flush)
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
        bool drained = shutdown && queuedCount == 0;
        foreach (WorkerProcess w in workers)
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
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
        if (shutdown && workers.Count == 0 && spawning == 0 && queuedCount == 0)
        {
            allExited.TrySetResult();
            supervisorEvents.Add(null);
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
}
