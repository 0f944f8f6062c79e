using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Queues;

/// <summary>The queue's semantics within one process: two views of one queue behave as two processes would.</summary>
public sealed class ProcessQueueTests
{
    public sealed record Reading(string Sensor, double Value, DateTime At, int[] Samples);

    [Fact]
    public void PutThenGet_ValuesArriveAsSent_InOrder()
    {
        using var queue = new ProcessQueue<Reading>();
        using var other = QueueViews.SecondView(queue);
        var sent = new[]
        {
            new Reading("a", 1.5, new DateTime(2026, 12, 6, 1, 2, 3, DateTimeKind.Utc), [1, 2, 3]),
            new Reading("b", double.NaN, new DateTime(2026, 12, 6, 1, 2, 3, DateTimeKind.Local), []),
            new Reading("ü", -0.0, DateTime.MinValue, Enumerable.Range(0, 100_000).ToArray()),
        };
        foreach (var reading in sent)
        {
            queue.Put(reading);
        }
        Assert.Equal(3, other.Count);
        foreach (var expected in sent)
        {
            var got = other.Get(Bounded.Limit);
            Assert.Equal(expected.Sensor, got.Sensor);
            Assert.Equal(expected.Value, got.Value);
            Assert.Equal(expected.At, got.At);
            Assert.Equal(expected.At.Kind, got.At.Kind);
            Assert.Equal(expected.Samples, got.Samples);
        }
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1024 * 1024 - 40)]
    [InlineData(1024 * 1024 + 1)]
    [InlineData(5 * 1024 * 1024 + 7)]
    [InlineData(100 * 1024 * 1024)]
    public void Items_FromOneByteTo100MiB_ArriveWhole_WithoutAConsumerWaiting(int size)
    {
        using var queue = new ProcessQueue<byte[]>();
        byte[] item = new byte[size];
        new Random(size).NextBytes(item);
        queue.Put(item); // returns with no consumer: the ring holds it
        queue.Put([7]);
        Assert.Equal(2, queue.Count);
        Assert.Equal(item, queue.Get(Bounded.Limit));
        Assert.Equal([7], queue.Get(Bounded.Limit));
    }

    [Fact]
    public void Put_OfAValueThatCannotTravel_FailsInPut_AndAddsNothing()
    {
        using var queue = new ProcessQueue<object>();
        var e = Assert.Throws<ArgumentException>(() => queue.Put(new Random()));
        Assert.Contains("through a process queue", e.Message, StringComparison.Ordinal);
        Assert.Contains("Random", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, queue.Count);
        queue.Put(42);
        Assert.Equal(42, queue.Get(Bounded.Limit));
    }

    [Fact]
    public void ItemTypeThatCannotTravel_RefusedWhenTheQueueIsCreated()
    {
        var e = Assert.Throws<NotSupportedException>(() => new ProcessQueue<Action>());
        Assert.Contains("Action", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bounded_FullAndEmpty_AsPython()
    {
        using var queue = new ProcessQueue<int>(maxSize: 2);
        Assert.Equal(2, queue.MaxSize);
        Assert.True(queue.TryPut(1));
        queue.Put(2, TimeSpan.Zero);
        Assert.True(queue.IsFull);
        Assert.False(queue.TryPut(3));
        Assert.Throws<QueueFullException>(() => queue.Put(3, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(1, queue.Get());
        Assert.True(queue.TryPut(3));
        Assert.Equal(2, queue.Get());
        Assert.True(queue.TryGet(out int three));
        Assert.Equal(3, three);
        Assert.False(queue.TryGet(out _));
        Assert.False(queue.TryGet(out _, TimeSpan.FromMilliseconds(20)));
        Assert.Throws<QueueEmptyException>(() => queue.Get(TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public async Task Put_OnAFullQueue_WaitsForAGet_InAnotherView()
    {
        using var queue = new ProcessQueue<int>(maxSize: 1);
        using var other = QueueViews.SecondView(queue);
        queue.Put(1);
        Task putting = Task.Run(() => queue.Put(2));
        Assert.False(putting.IsCompleted);
        Assert.Equal(1, other.Get(Bounded.Limit));
        await Bounded.Within(putting);
        Assert.Equal(2, other.Get(Bounded.Limit));
    }

    [Fact]
    public async Task Get_Cancelled_ThrowsAndTakesNothing()
    {
        using var queue = new ProcessQueue<int>();
        using var cancel = new CancellationTokenSource();
        Task<int> waiting = Task.Run(() => queue.Get(cancel.Token));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        queue.Put(5);
        Assert.Equal(5, queue.Get(Bounded.Limit));
        Assert.Throws<OperationCanceledException>(() => queue.Get(cancel.Token));
    }

    [Fact]
    public async Task Async_GetWaitsForAPut_PutWaitsForRoom()
    {
        using var queue = new ProcessQueue<string>(maxSize: 1);
        using var other = QueueViews.SecondView(queue);
        ValueTask<string> getting = other.GetAsync();
        Assert.False(getting.IsCompleted);
        await queue.PutAsync("one");
        Assert.Equal("one", await Bounded.Within(getting.AsTask()));

        await queue.PutAsync("two");
        Task putting = queue.PutAsync("three").AsTask();
        Assert.False(putting.IsCompleted);
        Assert.Equal("two", await other.GetAsync(Bounded.Limit));
        await Bounded.Within(putting);
        Assert.Equal((true, "three"), await other.TryGetAsync(Bounded.Limit));
        Assert.Equal((false, null), await other.TryGetAsync(TimeSpan.FromMilliseconds(20)));
        Assert.False(await queue.TryPutAsync("x", TimeSpan.Zero) && await queue.TryPutAsync("y", TimeSpan.FromMilliseconds(20)));
        await Assert.ThrowsAsync<QueueEmptyException>(async () =>
        {
            using var empty = new ProcessQueue<int>();
            await empty.GetAsync(TimeSpan.FromMilliseconds(20));
        });
    }

    [Fact]
    public async Task AsyncGet_Cancelled_TakesNothing()
    {
        using var queue = new ProcessQueue<int>();
        using var cancel = new CancellationTokenSource();
        Task<int> waiting = queue.GetAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        queue.Put(9);
        Assert.Equal(9, await queue.GetAsync(Bounded.Limit));
    }

    [Fact]
    public async Task ManyProducersAndConsumers_EveryItemArrivesExactlyOnce()
    {
        const int Producers = 4;
        const int PerProducer = 5_000;
        using var queue = new ProcessQueue<int>(maxSize: 100);
        var views = Enumerable.Range(0, 4).Select(_ => QueueViews.SecondView(queue)).ToArray();
        try
        {
            var consumed = new System.Collections.Concurrent.ConcurrentBag<int>();
            var consumers = views.Select(view => Task.Run(() =>
            {
                while (true)
                {
                    int item = view.Get(Bounded.Limit);
                    if (item < 0)
                    {
                        return;
                    }
                    consumed.Add(item);
                }
            })).ToArray();
            var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
            {
                for (int i = 0; i < PerProducer; i++)
                {
                    queue.Put(p * PerProducer + i);
                }
            })).ToArray();
            await Bounded.Within(Task.WhenAll(producers));
            foreach (var _ in consumers)
            {
                queue.Put(-1);
            }
            await Bounded.Within(Task.WhenAll(consumers));
            Assert.Equal(Enumerable.Range(0, Producers * PerProducer), consumed.Order());
        }
        finally
        {
            foreach (var view in views)
            {
                view.Dispose();
            }
        }
    }

    [Fact]
    public async Task Dispose_EndsThisViewsBlockedCalls_OtherViewsGoOn()
    {
        var queue = new ProcessQueue<int>();
        using var other = QueueViews.SecondView(queue);
        Task<int> blocked = Task.Run(() => queue.Get());
        Task<int> blockedAsync = queue.GetAsync().AsTask();
        queue.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Within(blocked));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Within(blockedAsync));
        Assert.Throws<ObjectDisposedException>(() => queue.Put(1));
        Assert.Contains("disposed", queue.ToString(), StringComparison.Ordinal);
        other.Put(3);
        Assert.Equal(3, other.Get(Bounded.Limit));
    }

    [Fact]
    public void ToString_ShowsCountAndBound()
    {
        using var queue = new ProcessQueue<int>(maxSize: 10);
        queue.Put(1);
        Assert.Equal("ProcessQueue<Int32>(Count=1, MaxSize=10)", queue.ToString());
    }

    [Fact]
    public async Task Joinable_JoinWaitsForEveryTaskDone()
    {
        using var queue = new JoinableProcessQueue<int>();
        Assert.True(queue.Join(TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(queue.TaskDone);
        queue.Put(1);
        queue.Put(2);
        Assert.Equal(2, queue.UnfinishedTaskCount);
        Assert.False(queue.Join(TimeSpan.FromMilliseconds(20)));
        Task joining = queue.JoinAsync();
        Task<bool> joiningSync = Task.Run(() => queue.Join(Bounded.Limit));
        queue.Get();
        queue.TaskDone();
        Assert.False(joining.IsCompleted);
        queue.Get();
        queue.TaskDone();
        await Bounded.Within(joining);
        Assert.True(await Bounded.Within(joiningSync));
        Assert.Equal(0, queue.UnfinishedTaskCount);
        Assert.Throws<InvalidOperationException>(queue.TaskDone);
    }

    [Fact]
    public void Simple_PutGetEmpty()
    {
        using var queue = new SimpleProcessQueue<string>();
        Assert.True(queue.IsEmpty);
        queue.Put("x");
        Assert.False(queue.IsEmpty);
        Assert.Equal("x", queue.Get());
        Assert.False(queue.TryGet(out _));
        Assert.Equal("SimpleProcessQueue<String>(Count=0)", queue.ToString());
    }
}
