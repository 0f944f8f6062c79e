using System.Diagnostics;
using Concur.Platform;

namespace Concur.Processes.Internal;

/// <summary>Supervision (one thread): spawning, reaping and replacing workers, and hard timeouts.</summary>
internal sealed partial class ProcessPoolEngine
{
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
                w.SendQueue.Enqueue(ToWorker.AllowTypes.Current());
                w.Defined.Add(initializer.Id);
                w.SendQueue.Enqueue(ToWorker.Define.Of(initializer));
                w.SendQueue.Enqueue(initializeFrame!);
                (flush ??= []).Add(w);
            }
        }
        StartReader(w);
        FlushAll(flush, mayBlock: true);
        if (Volatile.Read(ref stoppedBy) is not null)
        {
            w.Kill(); // Started while TerminateWorkers or KillWorkers ran.
        }
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
            AssertInvariants();
            if (w.Outstanding.Count > 0 && w.Ready)
            {
                head = w.Outstanding.Dequeue();
                head.State = WorkState.Done;
            }
            if (w.Outstanding.Count > 0 && w.Outstanding.Peek().StopReason != StopReason.None)
            {
                // Stopped or cancelled before its worker came up: it ends as if it had been running.
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
            if (w.InitializeError is not null && w.Corruption is null)
            {
                broken ??= new BrokenExecutorException(
                    $"The process pool is broken: its initializer threw in worker {w.Pid} ({w.InitializeError.RemoteTypeName}: " +
                    $"{w.InitializeError.Message}); fix the initializer and create a new pool.",
                    w.InitializeError);
            }
            else if (!w.Ready && !w.ExitSent && w.Corruption is null && ++startFailures >= MaxStartFailures)
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
                case StopReason.Stopped:
                    head.Fail(new BrokenExecutorException(
                        $"{head.Description} did not finish: {stoppedBy} stopped the pool's workers (worker process {w.Pid} {status}) and shut the pool down."));
                    break;
                case StopReason.None when w.Corruption is not null:
                    head.Fail(new WorkerCrashedException(w.Pid, head.Description,
                        $"The worker process {w.Pid} sent a corrupt frame ({w.Corruption}) while running {head.Description}. " +
                        "The parent killed it (if it was still running) and started a replacement; other tasks are unaffected. Code in the task (or a " +
                        "native library it calls) wrote to the worker's result pipe."));
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
        Debug.Assert(gate.IsHeldByCurrentThread, "The gate must be held.");
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
                if (w.Reader?.WaitingSince is long since and not 0 && w.Corruption is null)
                {
                    TimeSpan stallLeft = limits.StallTimeout - Stopwatch.GetElapsedTime(since, now);
                    next = Earlier(next, stallLeft < TimeSpan.Zero ? TimeSpan.Zero : stallLeft);
                }
                if (w.Outstanding.Count > 0 && w.Outstanding.Peek() is { Timeout: TimeSpan limit, StopReason: StopReason.None } head)
                {
                    TimeSpan left = limit - Stopwatch.GetElapsedTime(head.StartedAt, now);
                    if (left < TimeSpan.Zero)
                    {
                        left = TimeSpan.Zero;
                    }
                    next = Earlier(next, left);
                }
            }
        }
        return next;
    }

    private static TimeSpan Earlier(TimeSpan next, TimeSpan left) =>
        next == Timeout.InfiniteTimeSpan || left < next ? left : next;

    private void EnforceDeadlines()
    {
        List<WorkerProcess>? kill = null;
        long now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            foreach (WorkerProcess w in workers)
            {
                if (w.Reader?.WaitingSince is long since and not 0 && w.Corruption is null &&
                    Stopwatch.GetElapsedTime(since, now) >= limits.StallTimeout)
                {
                    // A frame that has begun arrives at pipe speed (a worker serializes before it writes): one
                    // that stops is cut off, and would otherwise leave its task pending for ever.
                    w.Corruption = $"a frame that stopped arriving: no byte for {limits.StallTimeout.TotalSeconds:0.#} s in the middle of it";
                    (kill ??= []).Add(w);
                    continue;
                }
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
