using System.Globalization;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// Tasks that wait in a busy worker's pipe (behind the task it runs) keep the promises of tasks in the queue: they
/// can be cancelled without running, they move to a worker that idles, and a worker's death re-runs them exactly once
/// elsewhere. Each test puts tasks in a pipe for certain (checked through the pool's own count) before acting.
/// </summary>
public sealed class PipelinedTasksTests
{
    /// <summary>Worker side: appends this process's id to the file <paramref name="step"/>.Name in the folder; if Wait, then says
    /// "started" and waits for the folder's gate (see <see cref="Gate.WaitInWorker"/>).</summary>
    private static int Step((string Directory, string Name, bool Wait) step)
    {
        File.AppendAllText(Path.Combine(step.Directory, step.Name), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return step.Wait ? Gate.WaitInWorker(step.Directory) : Environment.ProcessId;
    }

    /// <summary>The process ids that ran the step called <paramref name="name"/>, one per run.</summary>
    private static string[] Runs(Gate gate, string name) =>
        File.Exists(gate.Marker(name)) ? File.ReadAllLines(gate.Marker(name)) : [];

    private static int StartedPid(Gate gate) => int.Parse(File.ReadAllText(gate.StartedPath), CultureInfo.InvariantCulture);

    /// <summary>Starts a step that waits on <paramref name="gate"/>, then queues <paramref name="count"/> quick steps behind it in the same worker.</summary>
    private static (Task<int> Running, Task<int>[] Waiting, int Pid) HoldAndQueueBehind(ProcessPoolExecutor pool, Gate gate, Gate marks, int count)
    {
        Task<int> running = pool.Submit(Step, (gate.Directory, "hold", true));
        gate.WaitStarted();
        int pid = StartedPid(gate);
        Task<int>[] waiting = [.. Enumerable.Range(0, count).Select(i => pool.Submit(Step, (marks.Directory, $"t{i}", false)))];
        Bounded.Until(() => pool.TasksWaitingInWorkers.GetValueOrDefault(pid) == count, $"{count} tasks wait in worker {pid}'s pipe");
        return (running, waiting, pid);
    }

    [Fact]
    public async Task ShutdownCancelPending_CancelsTasksWaitingInAWorkersPipe_AndTheyNeverRun()
    {
        using var gate = new Gate();
        using var marks = new Gate();
        var pool = new ProcessPoolExecutor(1);
        await using (pool)
        {
            Assert.NotEqual(0, await Bounded.Within(pool.Submit(Step, (marks.Directory, "warm", false)))); // Step is now defined in the worker.
            (Task<int> running, Task<int>[] waiting, int pid) = HoldAndQueueBehind(pool, gate, marks, 3);

            pool.Shutdown(wait: false, cancelPending: true);

            foreach (Task<int> task in waiting)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
            }
            gate.Open();
            Assert.Equal(pid, await Bounded.Within(running));
            await Bounded.Within(pool.ShutdownAsync());
        }
        for (int i = 0; i < 3; i++)
        {
            Assert.Empty(Runs(marks, $"t{i}"));
        }
    }

    /// <summary>
    /// Both workers of a two-worker pool run a task that waits on its own gate; four quick tasks then wait in the busy
    /// workers' pipes (all behind one of them, or spread). Returns the worker holding the most ("heavy"), its waiting
    /// task and gate, and the other worker's gate, opened: that worker idles and takes the quick tasks back.
    /// </summary>
    private static async Task<(int Heavy, Task<int> Stays, Gate Keep, int Idle, int[] QuickRanIn)> QuickTasksMoveToTheIdleWorker(
        ProcessPoolExecutor pool, Gate gateA, Gate gateB, Gate marks)
    {
        Task<int> first = pool.Submit(Step, (gateA.Directory, "hold", true));
        Task<int> second = pool.Submit(Step, (gateB.Directory, "hold", true));
        gateA.WaitStarted();
        gateB.WaitStarted();
        Task<int>[] quick = [.. Enumerable.Range(0, 4).Select(i => pool.Submit(Step, (marks.Directory, $"t{i}", false)))];
        Bounded.Until(() => pool.TasksWaitingInWorkers.Values.Sum() == 4, "the quick tasks wait in the busy workers' pipes");
        int heavy = pool.TasksWaitingInWorkers.MaxBy(pair => pair.Value).Key;
        (Gate keep, Gate open, Task<int> stays) = StartedPid(gateA) == heavy ? (gateA, gateB, first) : (gateB, gateA, second);
        open.Open();
        int[] ranIn = await Bounded.Within(Task.WhenAll(quick));
        return (heavy, stays, keep, StartedPid(open), ranIn);
    }

    [Fact]
    public async Task TasksWaitingBehindALongTask_MoveToAWorkerThatIdles()
    {
        using var gateA = new Gate();
        using var gateB = new Gate();
        using var marks = new Gate();
        await using var pool = new ProcessPoolExecutor(2);

        (int heavy, Task<int> stays, Gate keep, int idle, int[] ranIn) = await QuickTasksMoveToTheIdleWorker(pool, gateA, gateB, marks);

        Assert.False(stays.IsCompleted, "the long task still runs: the quick ones did not wait for it");
        Assert.All(ranIn, pid => Assert.Equal(idle, pid));
        keep.Open();
        Assert.Equal(heavy, await Bounded.Within(stays));
        await Bounded.Within(pool.ShutdownAsync()); // The busy worker has reached the tasks taken from it (and skipped them).
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal([idle.ToString(CultureInfo.InvariantCulture)], Runs(marks, $"t{i}"));
        }
    }

    [Fact]
    public async Task WorkerKilledAfterTasksWereTakenBackFromIt_DoesNotRunThemAgain()
    {
        using var gateA = new Gate();
        using var gateB = new Gate();
        using var marks = new Gate();
        var pool = new ProcessPoolExecutor(2);
        await using (pool)
        {
            // The heavy worker still holds the placeholders of the tasks taken from it when it is killed.
            (int heavy, Task<int> killed, _, _, _) = await QuickTasksMoveToTheIdleWorker(pool, gateA, gateB, marks);

            System.Diagnostics.Process.GetProcessById(heavy).Kill();

            await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(killed));
            Assert.NotEqual(0, await Bounded.Within(pool.Submit(Step, (marks.Directory, "after", false))));
            await Bounded.Within(pool.ShutdownAsync());
        }
        for (int i = 0; i < 4; i++)
        {
            Assert.Single(Runs(marks, $"t{i}"));
        }
    }

    [Fact]
    public async Task WorkerKilledWithTasksInItsPipe_FailsOnlyItsRunningTask_AndTheOthersRunOnceElsewhere()
    {
        using var gate = new Gate();
        using var marks = new Gate();
        await using var pool = new ProcessPoolExecutor(1);
        Assert.NotEqual(0, await Bounded.Within(pool.Submit(Step, (marks.Directory, "warm", false))));
        (Task<int> running, Task<int>[] waiting, int pid) = HoldAndQueueBehind(pool, gate, marks, 3);

        System.Diagnostics.Process.GetProcessById(pid).Kill();

        var crash = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(running));
        Assert.Equal(pid, crash.ProcessId);
        int[] ranIn = await Bounded.Within(Task.WhenAll(waiting));
        Assert.All(ranIn, other => Assert.NotEqual(pid, other));
        for (int i = 0; i < 3; i++)
        {
            Assert.Single(Runs(marks, $"t{i}"));
        }
    }

    [Fact]
    public async Task KillWorkers_FailsTasksWaitingInAPipe_WithoutRunningThem()
    {
        using var gate = new Gate();
        using var marks = new Gate();
        var pool = new ProcessPoolExecutor(1);
        await using (pool)
        {
            Assert.NotEqual(0, await Bounded.Within(pool.Submit(Step, (marks.Directory, "warm", false))));
            (Task<int> running, Task<int>[] waiting, _) = HoldAndQueueBehind(pool, gate, marks, 2);

            pool.KillWorkers();

            await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(running));
            foreach (Task<int> task in waiting)
            {
                var e = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(task));
                Assert.Contains("did not run", e.Message, StringComparison.Ordinal);
            }
            await Bounded.Within(pool.ShutdownAsync());
        }
        Assert.Empty(Runs(marks, "t0"));
        Assert.Empty(Runs(marks, "t1"));
    }

    /// <summary>Worker side: works for <paramref name="task"/>.Spin microseconds (a busy loop: the task's work), then appends this process's id to file I.</summary>
    private static int Mark((string Directory, int I, int Spin) task)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed.TotalMicroseconds < task.Spin)
        {
            Thread.SpinWait(20);
        }
        File.AppendAllText(Path.Combine(task.Directory, task.I.ToString(CultureInfo.InvariantCulture)), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return task.I;
    }

    /// <summary>Submits 3,000 tasks (every 97th one slower, so that workers fall out of step and tasks move between them).</summary>
    private static Task<int>[] SubmitMany(ProcessPoolExecutor pool, Gate marks) =>
        [.. Enumerable.Range(0, 3000).Select(i => pool.Submit(Mark, (marks.Directory, i, i % 97 == 0 ? 2000 : 0)))];

    private static int RunsOf(Gate marks, int i) =>
        File.Exists(marks.Marker(i.ToString(CultureInfo.InvariantCulture))) ? File.ReadAllLines(marks.Marker(i.ToString(CultureInfo.InvariantCulture))).Length : 0;

    [Fact]
    public async Task ManyTasks_ShutdownCancelPendingMidway_EachTaskRanOnceOrNever()
    {
        using var marks = new Gate();
        var pool = new ProcessPoolExecutor(2);
        Task<int>[] tasks;
        await using (pool)
        {
            tasks = SubmitMany(pool, marks);
            await Bounded.Within(tasks[500]);
            pool.Shutdown(wait: false, cancelPending: true);
            await Bounded.Within(pool.ShutdownAsync()); // Every worker has exited: nothing runs any more.
        }
        int completed = 0, cancelled = 0;
        for (int i = 0; i < tasks.Length; i++)
        {
            Assert.True(tasks[i].IsCompleted, $"task {i} ended");
            if (tasks[i].IsCompletedSuccessfully)
            {
                Assert.Equal(i, await tasks[i]);
                Assert.True(RunsOf(marks, i) == 1, $"task {i} completed, so it ran exactly once (ran {RunsOf(marks, i)} times)");
                completed++;
            }
            else
            {
                Assert.True(tasks[i].IsCanceled, $"task {i} was cancelled, not failed: {tasks[i].Exception?.InnerException?.Message}");
                Assert.True(RunsOf(marks, i) == 0, $"task {i} was cancelled, so it never ran (ran {RunsOf(marks, i)} times)");
                cancelled++;
            }
        }
        Assert.InRange(completed, 501, 2999);
        Assert.Equal(tasks.Length, completed + cancelled);
    }

    [Fact]
    public async Task ManyTasks_AWorkerKilledMidway_EveryOtherTaskRunsExactlyOnce()
    {
        using var marks = new Gate();
        await using var pool = new ProcessPoolExecutor(2);
        Task<int>[] tasks = SubmitMany(pool, marks);
        await Bounded.Within(tasks[500]);
        int victim = pool.WorkerProcessIds[0];

        System.Diagnostics.Process.GetProcessById(victim).Kill();

        await Bounded.Within(Task.WhenAny(Task.WhenAll(tasks)));
        int crashed = 0;
        for (int i = 0; i < tasks.Length; i++)
        {
            if (tasks[i].IsCompletedSuccessfully)
            {
                Assert.Equal(i, await tasks[i]);
                Assert.True(RunsOf(marks, i) == 1, $"task {i} completed, so it ran exactly once (ran {RunsOf(marks, i)} times)");
            }
            else
            {
                // Only the task the killed worker was running fails (it may have run to its last line before the kill).
                var e = Assert.IsType<WorkerCrashedException>(tasks[i].Exception!.InnerException);
                Assert.Equal(victim, e.ProcessId);
                Assert.InRange(RunsOf(marks, i), 0, 1);
                crashed++;
            }
        }
        Assert.InRange(crashed, 0, 1);
    }

    [Fact]
    public async Task TasksWithATimeoutOrToken_NeverWaitInAPipe()
    {
        using var gate = new Gate();
        using var marks = new Gate();
        await using var pool = new ProcessPoolExecutor(1);
        Assert.NotEqual(0, await Bounded.Within(pool.Submit(Step, (marks.Directory, "warm", false))));
        (Task<int> running, Task<int>[] waiting, int pid) = HoldAndQueueBehind(pool, gate, marks, 1);
        using var cts = new CancellationTokenSource();
        Task<int> timed = pool.Submit(Step, (marks.Directory, "timed", false), TimeSpan.FromSeconds(30));
        Task<int> cancellable = pool.Submit(Step, (marks.Directory, "token", false), cts.Token);
        Task<int> after = pool.Submit(Step, (marks.Directory, "after", false));

        // The stoppable ones wait in the parent's queue (their clock starts when they start), and so does every task
        // behind them: the queue keeps its order.
        Assert.Equal(1, pool.TasksWaitingInWorkers[pid]);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(cancellable));
        gate.Open();
        Assert.Equal(pid, await Bounded.Within(running));
        Assert.Equal(pid, await Bounded.Within(waiting[0]));
        Assert.Equal(pid, await Bounded.Within(timed));
        Assert.Equal(pid, await Bounded.Within(after));
        Assert.Empty(Runs(marks, "token"));
    }
}
