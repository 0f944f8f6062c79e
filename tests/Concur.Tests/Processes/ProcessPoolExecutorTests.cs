using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed record Point(int X, int Y);

public sealed class ProcessPoolExecutorTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static int Square(int x) => x * x;

    private static int Pid() => Environment.ProcessId;

    private static string Name() => ChildProcess.CurrentProcessName;

    private static int Fail(int x) => throw new InvalidOperationException($"bad {x}");

    private static int Add(int a, int b) => a + b;

    private static Point Move(Point p) => p with { X = p.X + 1 };

    [Fact]
    public async Task ToString_ShowsSizeStateWorkersAndQueue_LikePythonsRepr()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        await using (pool)
        {
            Assert.Equal(1, await Bounded.Within(pool.Submit(static () => 1)));
            Bounded.Until(() => pool.WorkerProcessIds.Count == 2, "both workers are up");
            int[] pids = [.. pool.WorkerProcessIds];
            Assert.Equal($"<ProcessPoolExecutor maxWorkers=2 running workers=[{string.Join(", ", pids)}] queued=0>", pool.ToString());
            await Bounded.Within(pool.ShutdownAsync());
            Assert.Equal("<ProcessPoolExecutor maxWorkers=2 shut down workers=[] queued=0>", pool.ToString());
        }
    }

    [Fact]
    public async Task Submit_StaticMethod_RunsInAnotherProcess()
    {
        int pid = await Bounded.Within(_pool.Submit(Pid));
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Contains(pid, _pool.WorkerProcessIds);
    }

    [Fact]
    public async Task Submit_CapturedVariables_TravelByValue()
    {
        int offset = 10;
        string prefix = "n=";
        int[] numbers = [1, 2, 3];
        var point = new Point(1, 2);
        string result = await Bounded.Within(_pool.Submit(x => prefix + (x + offset + numbers.Sum() + point.Y), 5));
        Assert.Equal("n=23", result);
    }

    [Fact]
    public async Task Submit_CaptureFromOuterScope_TravelsByValue()
    {
        int outer = 100;
        Task<int> task;
        {
            int inner = 5;
            task = _pool.Submit(() => outer + inner);
        }
        Assert.Equal(105, await Bounded.Within(task));
    }

    [Fact]
    public async Task Submit_RecordArgumentAndResult_RoundTrip()
    {
        Point moved = await Bounded.Within(_pool.Submit(Move, new Point(1, 2)));
        Assert.Equal(new Point(2, 2), moved);
    }

    [Fact]
    public async Task Submit_TwoArguments_Works()
    {
        Assert.Equal(7, await Bounded.Within(_pool.Submit(Add, 3, 4)));
    }

    [Fact]
    public async Task Submit_FunctionThrows_RemoteExceptionCarriesTypeMessageAndStack()
    {
        var e = await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(_pool.Submit(Fail, 4)));
        Assert.Equal("System.InvalidOperationException", e.RemoteTypeName);
        Assert.Equal("bad 4", e.Message);
        Assert.Contains(nameof(Fail), e.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_ManyTasks_AllCompleteOnBothWorkers()
    {
        Task<int>[] tasks = Enumerable.Range(0, 500).Select(i => _pool.Submit(Square, i)).ToArray();
        int[] results = await Bounded.Within(Task.WhenAll(tasks));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i * i), results);
    }

    [Fact]
    public async Task Submit_WorkerProcessName_IsSetInTheWorker()
    {
        string name = await Bounded.Within(_pool.Submit(Name));
        Assert.StartsWith("ProcessPoolExecutor-", name, StringComparison.Ordinal);
        Assert.Equal("MainProcess", ChildProcess.CurrentProcessName);
    }

    [Fact]
    public async Task Submit_WorkerReadsStandardInput_GetsEndOfFile()
    {
        Assert.Null(await Bounded.Within(_pool.Submit(static () => Console.In.ReadLine())));
    }

    [Fact]
    public void Submit_NonPositiveTimeout_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _pool.Submit(Square, 2, TimeSpan.Zero); });
    }

    [Fact]
    public async Task Submit_InfiniteTimeout_MeansNoLimit()
    {
        Assert.Equal(4, await Bounded.Within(_pool.Submit(Square, 2, Timeout.InfiniteTimeSpan)));
    }

    [Fact]
    public void Map_LazySource_ReadsAtMostTheBufferAhead()
    {
        var source = new EndlessSource();
        int[] firstTen = _pool.Map(Square, source.Items(), chunkSize: 1, bufferSize: 8).Take(10).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(Square), firstTen);
        Assert.InRange(source.Pulled, 10, 10 + 8 + 1);
    }

    [Fact]
    public void Map_ChunkSizeAboveOne_BufferCountsChunks()
    {
        var source = new EndlessSource();
        int[] first = _pool.Map(Square, source.Items(), chunkSize: 5, bufferSize: 3).Take(1).ToArray();
        Assert.Equal([0], first);
        // As IExecutor.Map says: with chunks of 5, a buffer of 3 means 3 chunks (15 items) in flight, not 3 items.
        Assert.InRange(source.Pulled, 3 * 5, (4 * 5) + 1);
    }

}

/// <summary>0, 1, 2, ... without end, counting how many items have been read.</summary>
internal sealed class EndlessSource
{
    private int _pulled;

    public int Pulled => Volatile.Read(ref _pulled);

    public IEnumerable<int> Items()
    {
        for (int i = 0; ; i++)
        {
            Interlocked.Increment(ref _pulled);
            yield return i;
        }
    }
}

internal static class ParallelInvoke
{
    /// <summary>Runs <paramref name="body"/> on this thread while <paramref name="other"/> runs on another; rethrows body's exception.</summary>
    public static void Invoke(this Action body, Action other)
    {
        var helper = Task.Run(other);
        try
        {
            body();
        }
        finally
        {
            helper.Wait(Bounded.Limit);
        }
    }
}

public sealed class ProcessPoolExecutorInterfaceTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private static int Triple(int x) => 3 * x;

    [Fact]
    public Task AsIExecutor_CallingCodeDoesNotChange() => UseThroughInterface(fixture.Pool);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The point is to call through the interface.")]
    private static async Task UseThroughInterface(IExecutor executor)
    {
        Assert.Equal(2, executor.MaxWorkers);
        Assert.Equal(9, await Support.Bounded.Within(executor.Submit(Triple, 3)));
        Assert.Equal(new[] { 0, 3, 6 }, executor.Map(Triple, Enumerable.Range(0, 3)).ToArray());
    }

    [Fact]
    public async Task Map_AbandonedEarly_LaterItemsNeverRun()
    {
        // One worker: the task submitted after the Map runs only once the item it was running (if any) is done, so
        // no item can still be writing into the gate's folder when the test counts the files and deletes the folder.
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        int[] firstTwo = single.Map(
            i => { File.WriteAllText(Path.Combine(dir, $"item-{i}"), "ran"); return i; },
            Enumerable.Range(0, 1000), chunkSize: 1, bufferSize: 4).Take(2).ToArray();
        Assert.Equal(new[] { 0, 1 }, firstTwo);
        // Whatever had started may still finish; nothing beyond the buffer runs.
        Assert.Equal(4, await Support.Bounded.Within(single.Submit(static x => x + 1, 3)));
        Assert.InRange(Directory.GetFiles(dir, "item-*").Length, 2, 4 + 1);
    }

    [Fact]
    public void Submit_Finished_ResultIsKeptNeitherByThePoolNorByTheToken()
    {
        using var cts = new CancellationTokenSource();
        WeakReference result = SubmitAndForget(fixture.Pool, cts.Token);
        Bounded.Until(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return !result.IsAlive;
        }, "a finished task's result is collected (nothing keeps it: not the reader thread, not a registration on the caller's token)");
        Assert.False(cts.IsCancellationRequested);
    }

    // Not inlined, so the test method's frame holds no reference to the task or its result.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference SubmitAndForget(ProcessPoolExecutor pool, CancellationToken token)
    {
        Task<int[]> task = pool.Submit(static () => new int[1000], token);
        Assert.True(task.Wait(Bounded.Limit, CancellationToken.None), "the task did not finish in time");
        return new WeakReference(task.Result);
    }
}
