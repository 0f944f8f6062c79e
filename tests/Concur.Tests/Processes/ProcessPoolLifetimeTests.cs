using System.Diagnostics;
using System.Runtime.CompilerServices;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>How long a process pool's workers live: no longer than the pool, and stopped on request.</summary>
public sealed class ProcessPoolLifetimeTests
{
    private static int Square(int x) => x * x;

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // No such process any more.
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int[] UseAndDropPool()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Assert.Equal(9, Bounded.Result(pool.Submit(Square, 3)));
        Bounded.Until(() => pool.WorkerProcessIds.Count == 2, "both workers are up");
        return pool.WorkerProcessIds.ToArray();
    }

    [Fact]
    public void Finalizer_PoolDroppedWithoutDispose_WorkersExit()
    {
        int[] pids = UseAndDropPool();
        Bounded.Until(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return pids.All(HasExited);
        }, "the dropped pool's workers exited");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KillOrTerminateWorkers_RunningAndQueuedTasks_FailClearlyAndPoolShutsDown(bool kill)
    {
        string operation = kill ? nameof(ProcessPoolExecutor.KillWorkers) : nameof(ProcessPoolExecutor.TerminateWorkers);
        using var gate = new Gate();
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Task<int> running = pool.Submit(Gate.WaitInWorker, gate.Directory);
        gate.WaitStarted();
        Task<int> queued = pool.Submit(Square, 2);
        int[] pids = pool.WorkerProcessIds.ToArray();

        if (kill)
        {
            pool.KillWorkers();
        }
        else
        {
            pool.TerminateWorkers();
        }

        var runningError = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(running));
        Assert.Contains(operation, runningError.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish", runningError.Message, StringComparison.Ordinal);
        var queuedError = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(queued));
        Assert.Contains("did not run", queuedError.Message, StringComparison.Ordinal);
        Assert.True(pool.IsShutdown);
        var refused = Assert.Throws<InvalidOperationException>(() => { _ = pool.Submit(Square, 3); });
        Assert.Contains(operation, refused.Message, StringComparison.Ordinal);
        await Bounded.Within(pool.ShutdownAsync());
        Bounded.Until(() => pids.All(HasExited), "the stopped workers exited");
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task KillWorkers_IdlePool_ShutsDownAndWorkersExit()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Assert.Equal(4, await Bounded.Within(pool.Submit(Square, 2)));
        int[] pids = pool.WorkerProcessIds.ToArray();
        pool.KillWorkers();
        await Bounded.Within(pool.ShutdownAsync());
        Bounded.Until(() => pids.All(HasExited), "the killed workers exited");
    }

    /// <summary>Runs in a child process: creates a pool, and submits to it while the process exits.</summary>
    internal static void SubmitWhileExiting(string resultPath)
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                pool.Submit(Square, 2);
                File.WriteAllText(resultPath, "accepted");
            }
            catch (InvalidOperationException e)
            {
                File.WriteAllText(resultPath, e.Message);
            }
        };
    }

    [Fact]
    public void Submit_WhileTheProcessExits_IsRefusedClearly()
    {
        using var gate = new Gate();
        string path = gate.Marker("result");
        ChildProcess child = ChildProcess.Create(SubmitWhileExiting, path);
        child.Start();
        Assert.True(child.Join(Bounded.Limit), "the child process exited");
        Assert.True(File.Exists(path), "the child's exit handler ran");
        Assert.Contains("The process is exiting", File.ReadAllText(path), StringComparison.Ordinal);
    }
}
