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
            if (_supervisorEvents.TryTake(out Action? action, wait))
            {
                action?.Invoke();
            }
            EnforceDeadlines();
            if (_allExited.Task.IsCompleted && _supervisorEvents.Count == 0)
            {
                return;
            }
        }
    }

    private void Spawn()
    {
        string name = $"{_namePrefix}-Worker-{Interlocked.Increment(ref _workerCount)}";
        SpawnedProcess spawned;
        TaskClaims? claims = null;
        try
        {
            claims = PipelineDepth > 1 ? TaskClaims.TryCreate(name) : null;
            spawned = ProcessSpawner.Spawn(name, dieWithParent: true, environment: _workerEnvironment, claims: claims);
        }
        catch (Exception e)
        {
            claims?.Dispose();
            List<WorkItem> failed;
            lock (_gate)
            {
                _spawning--;
                _broken ??= new BrokenExecutorException($"The process pool is broken: it could not start a worker process ({e.Message}).", e);
                failed = TakeQueuedLocked();
                CheckAllExitedIfBrokenLocked();
            }
            FailAll(failed);
            return;
        }
        var w = new WorkerProcess(spawned, name, claims);
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            _spawning--;
            _workers.Add(w);
            if (_initializer is not null)
            {
                w.AllowlistVersion = ProcessTypeAllowlist.Version;
                w.SendQueue.Enqueue(ToWorker.AllowTypes.Current());
                w.Defined.Add(_initializer.Id);
                w.SendQueue.Enqueue(ToWorker.Define.Of(_initializer));
                w.SendQueue.Enqueue(_initializeFrame!);
                (flush ??= []).Add(w);
            }
        }
        StartReader(w);
        FlushAll(flush, mayBlock: true);
        if (Volatile.Read(ref _stoppedBy) is not null)
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
        ExitStatus status = w.Process.HasExited ? _platform.DecodeExitStatus(w.Process.ExitCode) : new ExitStatus(null, Signals.SIGKILL);
        WorkItem? head = null;
        List<WorkItem>? stopped = null;
        List<WorkItem>? failed = null;
        bool respawn = false;
        lock (_gate)
        {
            w.Dead = true;
            _workers.Remove(w);
            AssertInvariants();
            // Every frame the worker wrote has been read, so the head is the task it was on. A task taken back
            // (revoked) never runs there and now lives elsewhere: it is dropped from this worker's list.
            if (w.Outstanding.Count > 0 && w.Ready && !w.IsRevoked(w.Outstanding.Peek()))
            {
                head = w.Outstanding.Dequeue();
                head.State = WorkState.Done;
            }
            if (w.Outstanding.Count > 0)
            {
                // The rest never started (nothing did, if the worker never came up): back to the front of the queue,
                // in order, unless the pool stopped or cancelled them (then they end as if they had been running).
                WorkItem[] rest = w.Outstanding.ToArray();
                w.Outstanding.Clear();
                for (int i = rest.Length - 1; i >= 0; i--)
                {
                    if (w.IsRevoked(rest[i]))
                    {
                        continue;
                    }
                    if (rest[i].StopReason != StopReason.None)
                    {
                        rest[i].State = WorkState.Done;
                        (stopped ??= []).Add(rest[i]);
                        continue;
                    }
                    rest[i].State = WorkState.Queued;
                    rest[i].Worker = null;
                    _queue.AddFirst(rest[i]);
                    _queuedCount++;
                }
                w.Revoked.Clear();
            }
            if (w.InitializeError is not null && w.Corruption is null)
            {
                _broken ??= new BrokenExecutorException(
                    $"The process pool is broken: its initializer threw in worker {w.Pid} ({w.InitializeError.RemoteTypeName}: " +
                    $"{w.InitializeError.Message}); fix the initializer and create a new pool.",
                    w.InitializeError);
            }
            else if (!w.Ready && !w.ExitSent && w.Corruption is null && ++_startFailures >= MaxStartFailures)
            {
                _broken ??= new BrokenExecutorException(
                    $"The process pool is broken: worker processes exit before they start ({status}); see the worker's output on standard error. " +
                    $"The host command was: {LaunchPlan.Current.FileName} {string.Join(' ', LaunchPlan.Current.Prefix)}");
            }
            if (_broken is not null)
            {
                failed = TakeQueuedLocked();
                CheckAllExitedIfBrokenLocked();
            }
            else
            {
                respawn = (!_shutdown || _queuedCount > 0) && _workers.Count + _spawning < MaxWorkers;
                if (respawn)
                {
                    _spawning++;
                }
                CheckAllExitedLocked();
            }
        }
        w.Release();
        if (head is not null)
        {
            EndOnDeath(w, head, status);
        }
        if (stopped is not null)
        {
            for (int i = stopped.Count - 1; i >= 0; i--)
            {
                EndOnDeath(w, stopped[i], status);
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

    /// <summary>Ends a task of a worker that died: the task it was running, or one the pool had stopped or cancelled.</summary>
    private void EndOnDeath(WorkerProcess w, WorkItem head, ExitStatus status)
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
                    $"{head.Description} did not finish: {_stoppedBy} stopped the pool's workers (worker process {w.Pid} {status}) and shut the pool down."));
                break;
            case StopReason.None when w.Corruption is not null:
                head.Fail(new WorkerCrashedException(w.Pid, head.Description,
                    $"The worker process {w.Pid} sent a corrupt frame ({w.Corruption}) while running {head.Description}. " +
                    "The parent killed it (if it was still running) and started a replacement; other tasks are unaffected. Code in the task (or a " +
                    "native library it calls) wrote to the worker's result pipe."));
                break;
            default:
                head.Fail(w.InitializeError is not null && _broken is not null
                    ? _broken
                    : new WorkerCrashedException(w.Pid, status.ExitCode, status.Signal, head.Description));
                break;
        }
    }

    private void CheckAllExitedIfBrokenLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (_workers.Count == 0 && _spawning == 0)
        {
            _shutdown = true;
            CheckAllExitedLocked();
        }
    }

    private void FailAll(List<WorkItem> items)
    {
        foreach (WorkItem item in items)
        {
            item.Fail(_broken!);
        }
    }

    private TimeSpan NextDeadline()
    {
        long now = Stopwatch.GetTimestamp();
        TimeSpan next = Timeout.InfiniteTimeSpan;
        lock (_gate)
        {
            foreach (WorkerProcess w in _workers)
            {
                if (w.Reader?.WaitingSince is long since and not 0 && w.Corruption is null)
                {
                    TimeSpan stallLeft = _limits.StallTimeout - Stopwatch.GetElapsedTime(since, now);
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
        lock (_gate)
        {
            foreach (WorkerProcess w in _workers)
            {
                if (w.Reader?.WaitingSince is long since and not 0 && w.Corruption is null &&
                    Stopwatch.GetElapsedTime(since, now) >= _limits.StallTimeout)
                {
                    // A frame that has begun arrives at pipe speed (a worker serializes before it writes): one
                    // that stops is cut off, and would otherwise leave its task pending for ever.
                    w.Corruption = $"a frame that stopped arriving: no byte for {_limits.StallTimeout.TotalSeconds:0.#} s in the middle of it";
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
