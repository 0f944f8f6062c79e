using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed class ProcessPoolFixture : IDisposable
{
    public ProcessPool Pool { get; } = new(processes: 2);

    public void Dispose() => Pool.Dispose();
}

public sealed class ProcessPoolTests(ProcessPoolFixture fixture) : IClassFixture<ProcessPoolFixture>
{
    private readonly ProcessPool _pool = fixture.Pool;

    private static int Square(int x) => x * x;

    private static int Pow(int x, int y) => (int)Math.Pow(x, y);

    private static int Fail(int x) => throw new DivideByZeroException($"no {x}");

    private static int Pid() => Environment.ProcessId;

    [Fact]
    public void Apply_ReturnsResult()
    {
        Assert.Equal(81, _pool.Apply(Square, 9));
        Assert.NotEqual(Environment.ProcessId, _pool.Apply(Pid));
    }

    [Fact]
    public async Task ApplyAsync_CallbackRunsWithResult()
    {
        int seen = 0;
        int result = await Bounded.Within(_pool.ApplyAsync(Square, 5, callback: r => seen = r));
        Assert.Equal(25, result);
        Assert.Equal(25, seen);
    }

    [Fact]
    public async Task ApplyAsync_ErrorCallbackRunsWithRemoteException()
    {
        Exception? seen = null;
        await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(_pool.ApplyAsync(Fail, 1, errorCallback: e => seen = e)));
        Assert.Equal("System.DivideByZeroException", Assert.IsType<RemoteException>(seen).RemoteTypeName);
    }

    [Fact]
    public void Map_AllResultsInOrder()
    {
        Assert.Equal(Enumerable.Range(0, 200).Select(Square), _pool.Map(Square, Enumerable.Range(0, 200)));
    }

    [Fact]
    public async Task MapAsync_CallbackGetsTheList()
    {
        List<int>? seen = null;
        List<int> result = await Bounded.Within(_pool.MapAsync(Square, new[] { 1, 2, 3 }, callback: r => seen = r));
        Assert.Equal(new[] { 1, 4, 9 }, result);
        Assert.Same(result, seen);
    }

    [Fact]
    public void Imap_LazyInOrder()
    {
        Assert.Equal(new[] { 0, 1, 4, 9 }, _pool.Imap(Square, Enumerable.Range(0, 4)).ToArray());
    }

    [Fact]
    public void ImapUnordered_AllResults()
    {
        Assert.Equal(Enumerable.Range(0, 50).Select(Square).Order(), _pool.ImapUnordered(Square, Enumerable.Range(0, 50), chunkSize: 4).Order());
    }

    [Fact]
    public void Starmap_AppliesPairs()
    {
        Assert.Equal(new[] { 8, 9, 1 }, _pool.Starmap(Pow, new[] { (2, 3), (3, 2), (5, 0) }));
    }

    [Fact]
    public void Map_Throws_RemoteException()
    {
        Assert.Throws<RemoteException>(() => _pool.Map(Fail, new[] { 1, 2 }));
    }

    [Fact]
    public void Join_WhileOpen_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _pool.Join(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task CloseThenJoin_FinishesSubmittedWork()
    {
        var own = new ProcessPool(processes: 1);
        Task<int>[] tasks = Enumerable.Range(0, 10).Select(i => own.ApplyAsync(Square, i)).ToArray();
        own.Close();
        Assert.Throws<InvalidOperationException>(() => { _ = own.ApplyAsync(Square, 1); });
        Assert.True(own.Join(Bounded.Limit));
        int[] results = await Bounded.Within(Task.WhenAll(tasks));
        Assert.Equal(Enumerable.Range(0, 10).Select(Square), results);
        own.Dispose();
    }

    [Fact]
    public async Task Terminate_StopsRunningWorkAndWorkers()
    {
        var own = new ProcessPool(processes: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        Task<int> running = own.ApplyAsync(Gate.WaitInWorker, dir);
        gate.WaitStarted();
        int pid = int.Parse(File.ReadAllText(gate.StartedPath), System.Globalization.CultureInfo.InvariantCulture);
        own.Terminate();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(running));
        Assert.True(own.Join(Bounded.Limit));
        Bounded.Until(() => !Processes.IsAlive(pid), "the terminated worker is gone");
        own.Dispose();
    }

    [Fact]
    public void MaxTasksPerChild_And_Initializer_Work()
    {
        using var own = new ProcessPool(processes: 1, initializer: static () => Environment.SetEnvironmentVariable("CONCUR_INIT", "yes"), maxTasksPerChild: 1);
        Assert.Equal("yes", own.Apply(static () => Environment.GetEnvironmentVariable("CONCUR_INIT")));
        Assert.NotEqual(own.Apply(Pid), own.Apply(Pid));
    }
}
