using System.Text.RegularExpressions;
using Concur.Tests.Support;

namespace Concur.Tests.Futures;

/// <summary>Behaviour only a thread pool has: thread names and reuse, initializers, in-process state.</summary>
public sealed class ThreadPoolExecutorTests
{
#pragma warning disable IDE1006 // t_ for a [ThreadStatic] field (dotnet/runtime's convention); the rule cannot see the attribute.
    [ThreadStatic]
    private static string? t_initializedWith;
#pragma warning restore IDE1006

    [Fact]
    public void Constructor_Defaults_MaxWorkersAsCPython()
    {
        using var executor = new ThreadPoolExecutor();
        Assert.Equal(Math.Min(32, Environment.ProcessorCount + 4), executor.MaxWorkers);
        Assert.Equal(executor.MaxWorkers, ThreadPoolExecutor.DefaultMaxWorkers);
    }

    [Fact]
    public void Constructor_StartsNoThread()
    {
        using var executor = new ThreadPoolExecutor(4);
        Assert.Equal(0, executor.ThreadCount);
    }

    [Fact]
    public async Task Submit_DefaultNames_ThreadPoolExecutorNumberUnderscoreIndex()
    {
        await using var executor = new ThreadPoolExecutor(1);
        var name = await Bounded.Within(executor.Submit(() => Thread.CurrentThread.Name));
        Assert.Matches(new Regex(@"^ThreadPoolExecutor-\d+_0$"), name);
    }

    [Fact]
    public async Task Submit_DefaultNames_ExecutorsNumberedInCreationOrder()
    {
        await using var first = new ThreadPoolExecutor(1);
        await using var second = new ThreadPoolExecutor(1);
        var a = await Bounded.Within(first.Submit(() => Thread.CurrentThread.Name!));
        var b = await Bounded.Within(second.Submit(() => Thread.CurrentThread.Name!));
        static int Number(string name) => int.Parse(name["ThreadPoolExecutor-".Length..name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Number(b) > Number(a), $"{b} should be numbered after {a}");
    }

    [Fact]
    public async Task Submit_ThreadNamePrefix_NamesPrefixUnderscoreIndex()
    {
        await using var executor = new ThreadPoolExecutor(2, threadNamePrefix: "crawler");
        using var gate = new Gate();
        var blocked = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        var name = await Bounded.Within(executor.Submit(() => Thread.CurrentThread.Name));
        Assert.Equal("crawler_1", name);
        gate.Release();
        await Bounded.Within(blocked);
    }

    [Fact]
    public async Task Submit_RunsOnDedicatedBackgroundThreads()
    {
        await using var executor = new ThreadPoolExecutor(1);
        var (isBackground, isPoolThread) = await Bounded.Within(
            executor.Submit(() => (Thread.CurrentThread.IsBackground, Thread.CurrentThread.IsThreadPoolThread)));
        Assert.True(isBackground);
        Assert.False(isPoolThread);
    }

    [Fact]
    public async Task Submit_SequentialWork_ReusesOneThread()
    {
        // CPython's test_idle_thread_reuse: a thread that finished its work is reused before another starts.
        await using var executor = new ThreadPoolExecutor(4);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(i * i, await Bounded.Within(executor.Submit(ContractWork.Square, i)));
        }
        Assert.Equal(1, executor.ThreadCount);
    }

    [Fact]
    public async Task Submit_BusyWorkers_StartsThreadsUpToMax()
    {
        await using var executor = new ThreadPoolExecutor(3);
        var gates = Enumerable.Range(0, 5).Select(_ => new Gate()).ToArray();
        var tasks = gates.Select(g => executor.Submit(ContractWork.Block, g.Directory)).ToArray();
        gates[0].WaitStarted();
        gates[1].WaitStarted();
        gates[2].WaitStarted();
        Assert.Equal(3, executor.ThreadCount);
        foreach (var gate in gates)
        {
            gate.Dispose();
        }
        await Bounded.Within(Task.WhenAll(tasks));
        Assert.Equal(3, executor.ThreadCount);
    }

    [Fact]
    public async Task Submit_ManyQuickItems_NeverMoreThreadsThanMax()
    {
        await using var executor = new ThreadPoolExecutor(2);
        await Bounded.Within(Task.WhenAll(Enumerable.Range(0, 500).Select(i => executor.Submit(ContractWork.Square, i))));
        Assert.InRange(executor.ThreadCount, 1, 2);
    }

    [Fact]
    public async Task Submit_Await_ContinuationDoesNotRunOnWorker()
    {
        await using var executor = new ThreadPoolExecutor(1, threadNamePrefix: "inline-check");
        var task = executor.Submit(ContractWork.Square, 3);
        // ExecuteSynchronously would normally run on the completing thread; the executor's tasks forbid that.
        var continuationThread = await Bounded.Within(task.ContinueWith(
            _ => Thread.CurrentThread.Name,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default));
        Assert.False(continuationThread?.StartsWith("inline-check", StringComparison.Ordinal) ?? false, continuationThread);
        await task;
        Assert.False(Thread.CurrentThread.Name?.StartsWith("inline-check", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task Submit_FunctionObservesSubmitterToken_TaskCancelled()
    {
        await using var executor = new ThreadPoolExecutor(1);
        using var cts = new CancellationTokenSource();
        var token = cts.Token;
        using var started = new ManualResetEventSlim();
        var task = executor.Submit(() =>
        {
            started.Set();
            token.WaitHandle.WaitOne(Bounded.Limit);
            token.ThrowIfCancellationRequested();
            return 1;
        }, token);
        Assert.True(started.Wait(Bounded.Limit));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task Submit_FunctionThrowsUnrelatedCancellation_TaskFaults()
    {
        await using var executor = new ThreadPoolExecutor(1);
        var task = executor.Submit(() => throw new OperationCanceledException("not the submitter's token"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsFaulted);
    }

    [Fact]
    public async Task Initializer_RunsOnEachWorkerBeforeWork()
    {
        await using var executor = new ThreadPoolExecutor(2, initializer: () => t_initializedWith = Thread.CurrentThread.Name);
        var seen = await Bounded.Within(executor.Submit(() => (t_initializedWith, Thread.CurrentThread.Name)));
        Assert.NotNull(seen.t_initializedWith);
        Assert.Equal(seen.Name, seen.t_initializedWith);
    }

    [Fact]
    public async Task Shutdown_FromOwnWorker_DoesNotDeadlock()
    {
        var executor = new ThreadPoolExecutor(2);
        await Bounded.Within(executor.Submit(() => executor.Shutdown(wait: true)));
        Assert.True(executor.IsShutdown);
        await Bounded.Within(executor.ShutdownAsync());
    }

    [Fact]
    public async Task Submit_RacingShutdown_EveryAcceptedTaskCompletes()
    {
        for (var round = 0; round < 20; round++)
        {
            var executor = new ThreadPoolExecutor(2);
            var accepted = new List<Task<int>>();
            var submitter = new Thread(() =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    try
                    {
                        accepted.Add(executor.Submit(ContractWork.Square, i));
                    }
                    catch (InvalidOperationException)
                    {
                        return;
                    }
                }
            });
            submitter.Start();
            executor.Shutdown(wait: false);
            Bounded.Join(submitter);
            await Bounded.Within(executor.ShutdownAsync());
            await Bounded.Within(Task.WhenAll(accepted));
        }
    }

    [Fact]
    public void Finalizer_ExecutorDroppedWithoutDispose_WorkerThreadsExit()
    {
        var workers = StartWorkersAndDropExecutor();
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        foreach (var worker in workers)
        {
            Bounded.Join(worker);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Thread[] StartWorkersAndDropExecutor()
    {
        var executor = new ThreadPoolExecutor(2);
        using var gate = new Gate();
        var first = executor.Submit(() => { ContractWork.Block(gate.Directory); return Thread.CurrentThread; });
        gate.WaitStarted();
        var second = executor.Submit(() => Thread.CurrentThread);
        var threads = new[] { Bounded.Result(second), default(Thread)! };
        gate.Release();
        threads[1] = Bounded.Result(first);
        Assert.NotSame(threads[0], threads[1]);
        return threads;
    }

    [Fact]
    public async Task Submit_StressWithCancellations_EveryTaskEndsAndShutdownCompletes()
    {
        var executor = new ThreadPoolExecutor(3);
        var all = new Task<int>[4][];
        var submitters = Enumerable.Range(0, 4).Select(s => new Thread(() =>
        {
            var mine = new Task<int>[500];
            for (var i = 0; i < mine.Length; i++)
            {
                using var cts = new CancellationTokenSource();
                mine[i] = executor.Submit(ContractWork.Square, i, cts.Token);
                if (i % 2 == 0)
                {
                    cts.Cancel();
                }
            }
            all[s] = mine;
        })).ToArray();
        foreach (var thread in submitters)
        {
            thread.Start();
        }
        foreach (var thread in submitters)
        {
            Bounded.Join(thread);
        }
        var tasks = all.SelectMany(t => t).ToArray();
        await Bounded.Within(Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default));
        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully || t.IsCanceled));
        Assert.All(tasks.Where(t => t.IsCompletedSuccessfully), t => Assert.True(t.Result >= 0));
        Assert.InRange(executor.ThreadCount, 1, 3);
        await Bounded.Within(executor.ShutdownAsync());
    }

    [Fact]
    public void Map_AbandonedRepeatedly_ExecutorStaysUsable()
    {
        using var executor = new ThreadPoolExecutor(2);
        for (var round = 0; round < 200; round++)
        {
            using var results = executor.Map(ContractWork.Square, Enumerable.Range(0, 100), bufferSize: 8).GetEnumerator();
            Assert.True(results.MoveNext());
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), executor.Map(ContractWork.Square, Enumerable.Range(0, 50)));
    }

    [Fact]
    public void Map_SharedMemoryFunction_Works()
    {
        using var executor = new ThreadPoolExecutor(4);
        var offset = 10;
        Assert.Equal([10, 11, 12], executor.Map(x => x + offset, [0, 1, 2]).ToArray());
    }

    [Fact]
    public void ToString_Lifecycle_ShowsStateThreadsIdleAndQueuedWork()
    {
        var executor = new ThreadPoolExecutor(1, threadNamePrefix: "described");
        Assert.Equal("ThreadPoolExecutor 'described' (running, 0 of 1 threads, 0 idle, 0 queued)", executor.ToString());

        using (var gate = new Gate())
        {
            var blocked = executor.Submit(ContractWork.Block, gate.Directory);
            gate.WaitStarted();
            var queued = new[] { executor.Submit(ContractWork.FortyTwo), executor.Submit(ContractWork.FortyTwo) };
            Assert.Equal("ThreadPoolExecutor 'described' (running, 1 of 1 threads, 0 idle, 2 queued)", executor.ToString());

            gate.Release();
            Bounded.Result(blocked);
            Assert.Equal([42, 42], Bounded.Result(Task.WhenAll(queued)));
        }

        executor.Dispose();
        Assert.Equal("ThreadPoolExecutor 'described' (shut down, 0 of 1 threads, 0 idle, 0 queued)", executor.ToString());
    }

    [Fact]
    public void ToString_InitializerThrew_SaysBroken()
    {
        using var executor = new ThreadPoolExecutor(1, initializer: () => throw new InvalidOperationException("no"));
        var task = executor.Submit(ContractWork.FortyTwo);
        Assert.Throws<AggregateException>(() => task.Wait(Bounded.Limit));
        Assert.StartsWith("ThreadPoolExecutor 'ThreadPoolExecutor-", executor.ToString(), StringComparison.Ordinal);
        Assert.Contains("' (broken, ", executor.ToString(), StringComparison.Ordinal);
    }
}
