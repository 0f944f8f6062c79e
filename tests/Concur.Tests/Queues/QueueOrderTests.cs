namespace Concur.Tests.Queues;

/// <summary>The order each queue kind hands items out in, and PriorityOrderQueue's comparer rules.</summary>
public class QueueOrderTests
{
    [Fact]
    public void FifoQueue_ManyItems_ComeOutInPutOrder()
    {
        var q = new FifoQueue<int>();
        for (var i = 0; i < 1000; i++)
        {
            q.Put(i);
        }
        Assert.Equal(Enumerable.Range(0, 1000), Take(q, 1000));
    }

    [Fact]
    public void LifoQueue_ManyItems_ComeOutInReverseOrder()
    {
        var q = new LifoQueue<int>();
        for (var i = 0; i < 1000; i++)
        {
            q.Put(i);
        }
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), Take(q, 1000));
    }

    [Fact]
    public void LifoQueue_InterleavedPutsAndGets_ReturnsNewestEachTime()
    {
        var q = new LifoQueue<string>();
        q.Put("a");
        q.Put("b");
        Assert.Equal("b", q.Get());
        q.Put("c");
        Assert.Equal("c", q.Get());
        Assert.Equal("a", q.Get());
    }

    [Fact]
    public void PriorityOrderQueue_RandomInts_ComeOutLowestFirst()
    {
        var random = new Random(42);
        var input = Enumerable.Range(0, 2000).Select(_ => random.Next(500)).ToArray();
        var q = new PriorityOrderQueue<int>();
        foreach (var x in input)
        {
            q.Put(x);
        }
        Assert.Equal(input.Order(), Take(q, input.Length));
    }

    [Fact]
    public void PriorityOrderQueue_EqualPriorities_ComeOutInPutOrder()
    {
        var q = new PriorityOrderQueue<(int Priority, string Job)>(comparer: Comparer<(int Priority, string Job)>.Create(
            (a, b) => a.Priority.CompareTo(b.Priority)));
        q.Put((2, "write report"));
        q.Put((1, "fix outage"));
        q.Put((2, "answer mail"));
        q.Put((1, "call customer"));
        q.Put((2, "archive"));
        Assert.Equal(
            new[] { "fix outage", "call customer", "write report", "answer mail", "archive" },
            Take(q, 5).Select(x => x.Job));
    }

    [Fact]
    public void PriorityOrderQueue_EqualPrioritiesAfterInterleavedGets_StayFifo()
    {
        var q = new PriorityOrderQueue<Job>(comparer: Comparer<Job>.Create((a, b) => a.Priority.CompareTo(b.Priority)));
        var seq = 0;
        var random = new Random(7);
        var got = new List<Job>();
        for (var round = 0; round < 200; round++)
        {
            for (var k = 0; k < 5; k++)
            {
                q.Put(new Job(random.Next(3), seq++));
            }
            got.Add(q.Get());
            got.Add(q.Get());
        }
        while (q.TryGet(out var job))
        {
            got.Add(job);
        }
        Assert.Equal(seq, got.Count);
        // FIFO among equal priorities: within one priority, jobs come out in the order they were put.
        foreach (var group in got.GroupBy(j => j.Priority))
        {
            var seqs = group.Select(j => j.Sequence).ToArray();
            Assert.Equal(seqs.Order(), seqs);
        }
    }

    [Fact]
    public void PriorityOrderQueue_Tuples_OrderByPriorityThenData()
    {
        var q = new PriorityOrderQueue<(int Priority, string Job)>();
        q.Put((3, "c"));
        q.Put((1, "b"));
        q.Put((1, "a"));
        q.Put((2, "x"));
        Assert.Equal(new[] { (1, "a"), (1, "b"), (2, "x"), (3, "c") }, Take(q, 4));
    }

    [Fact]
    public void PriorityOrderQueue_CustomComparer_IsUsedAndExposed()
    {
        var descending = Comparer<int>.Create((a, b) => b.CompareTo(a));
        var q = new PriorityOrderQueue<int>(comparer: descending);
        Assert.Same(descending, q.Comparer);
        foreach (var x in new[] { 3, 9, 1, 5 })
        {
            q.Put(x);
        }
        Assert.Equal(new[] { 9, 5, 3, 1 }, Take(q, 4));
    }

    [Fact]
    public void PriorityOrderQueue_TypeWithoutOrderAndNoComparer_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => new PriorityOrderQueue<object>());
        Assert.Contains("IComparer", error.Message, StringComparison.Ordinal);
        Assert.Equal(Comparer<int?>.Default, new PriorityOrderQueue<int?>().Comparer);
    }

    [Fact]
    public void PriorityOrderQueue_NullableItems_NullSortsFirst()
    {
        var q = new PriorityOrderQueue<string?>();
        q.Put("b");
        q.Put(null);
        q.Put("a");
        Assert.Equal(new[] { null, "a", "b" }, Take(q, 3));
    }

    [Fact]
    public void PriorityOrderQueue_ComparerThrowsOnPut_QueueIsNotDamaged()
    {
        // CPython's FailingQueueTest: a failing put or get leaves the queue usable and its counts right.
        var failNext = false;
        var comparer = Comparer<int>.Create((a, b) =>
        {
            if (failNext)
            {
                failNext = false;
                throw new InvalidOperationException("You Lose");
            }
            return a.CompareTo(b);
        });
        var q = new PriorityOrderQueue<int>(maxSize: 5, comparer);
        for (var i = 0; i < 4; i++)
        {
            q.Put(10 - i);
        }
        failNext = true;
        Assert.Throws<InvalidOperationException>(() => q.Put(1));
        Assert.Equal(4, q.Count);
        Assert.Equal(4, q.UnfinishedTaskCount);
        q.Put(0);
        Assert.True(q.IsFull);
        failNext = true;
        Assert.Throws<InvalidOperationException>(() => q.Get());
        Assert.Equal(5, q.Count);
        Assert.Equal(new[] { 0, 7, 8, 9, 10 }, Take(q, 5));
        Assert.True(q.IsEmpty);
    }

    private static List<T> Take<T>(BlockingQueue<T> q, int n)
    {
        var items = new List<T>(n);
        for (var i = 0; i < n; i++)
        {
            Assert.True(q.TryGet(out var item), $"expected {n} items, got {i}");
            items.Add(item);
        }
        Assert.True(q.IsEmpty);
        return items;
    }

    private sealed record Job(int Priority, int Sequence);
}
