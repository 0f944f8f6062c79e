using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Managers;

/// <summary><see cref="ManagerList{T}"/>, <see cref="ManagerNamespace"/> and <see cref="ManagerQueue{T}"/> from the owner.</summary>
[Collection(IpcCollection.Name)]
public sealed class ManagerCollectionsTests(ManagerFixture fixture) : IClassFixture<ManagerFixture>
{
    private readonly ProcessManager _manager = fixture.Manager;

    [Fact]
    public async Task List_AddIndexInsertRemoveAndBatches()
    {
        var list = _manager.List<string>();
        Assert.Equal(0, list.Add("a"));
        Assert.Equal(1, list.Add("c"));
        list.Insert(1, "b");
        list.AddRange(["d", "e"]);
        Assert.Equal(["a", "b", "c", "d", "e"], list.ToArray());
        list[0] = "A";
        Assert.Equal("A", list[0]);
        Assert.Equal("e", list.RemoveAt(4));
        Assert.Equal(4, list.Count);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => list[10]);
        Assert.Contains("4 items", outside.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => list.Insert(6, "x"));
        Assert.Equal(4, await list.AddAsync("z"));
        Assert.Equal("z", await list.GetAsync(4));
        Assert.Equal(5, await list.CountAsync());
        Assert.Equal(5, (await list.ToArrayAsync()).Length);
        list.Clear();
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public async Task Namespace_HoldsValuesOfEachTypeByName()
    {
        var ns = _manager.Namespace();
        ns.Set("count", 3);
        ns.Set("label", "run");
        ns.Set("basket", new Basket("x", [1, 2]));
        Assert.Equal(3, ns.Get<int>("count"));
        Assert.Equal("run", ns.Get<string>("label"));
        Assert.Equal([1, 2], ns.Get<Basket>("basket").Items);
        Assert.False(ns.TryGet<int>("absent", out _));
        Assert.Throws<KeyNotFoundException>(() => ns.Get<int>("absent"));
        Assert.Equal(["basket", "count", "label"], ns.Names.Order());
        Assert.True(ns.Remove("label"));
        Assert.False(ns.Remove("label"));
        await ns.SetAsync("later", 1.5);
        Assert.Equal(1.5, await ns.GetAsync<double>("later"));
    }

    [Fact]
    public async Task Queue_PutGetTimeoutsAndBounds()
    {
        var queue = _manager.Queue<int>(maxSize: 2);
        queue.Put(1);
        Assert.True(queue.TryPut(2, TimeSpan.Zero));
        Assert.False(queue.TryPut(3, TimeSpan.FromMilliseconds(50))); // full
        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.Get());
        Assert.Equal(2, queue.Get(TimeSpan.FromSeconds(1)));
        Assert.False(queue.TryGet(out _, TimeSpan.FromMilliseconds(50)));
        Assert.Throws<QueueEmptyException>(() => queue.Get(TimeSpan.Zero));

        Task<int> waiting = queue.GetAsync().AsTask();
        await queue.PutAsync(7);
        Assert.Equal(7, await Bounded.Within(waiting));
    }

    [Fact]
    public async Task Queue_ABlockedGet_IsWokenByAPutFromAnotherThread()
    {
        var queue = _manager.Queue<string>();
        using var threads = TestThreads.StartOne(() => queue.Put("hello"));
        Assert.Equal("hello", queue.Get(Bounded.Limit));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Queue_ACancelledAsyncGet_TakesNoItem()
    {
        var queue = _manager.Queue<int>();
        using var cancel = new CancellationTokenSource();
        Task<int> waiting = queue.GetAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        queue.Put(5);
        Assert.Equal(5, queue.Get(Bounded.Limit));
    }
}
