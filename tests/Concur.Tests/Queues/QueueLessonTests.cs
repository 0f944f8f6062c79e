using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>The lesson's queue examples ("使用queue实现线程通信"), ported without the sleeps.</summary>
public class QueueLessonTests
{
    [Fact]
    public void PutterTaker_NullSentinel_TakerSeesEveryItemInOrderThenStops()
    {
        // Putter puts 0..4 and then None; Taker gets until None.
        var myQueue = new FifoQueue<int?>();
        var taken = new List<int>();
        var putter = TestThreads.StartOne(
            () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    myQueue.Put(i);
                }
                myQueue.Put(null);
            },
            "Putter");
        var taker = TestThreads.StartOne(
            () =>
            {
                while (myQueue.Get() is { } item)
                {
                    taken.Add(item);
                }
            },
            "Taker");
        putter.Join();
        taker.Join();
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, taken);
    }

    [Fact]
    public void Workers_TaskDoneAfterEachItem_JoinReturnsWhenAllAreHandled()
    {
        // The lesson's worker(): get, handle, task_done; the main thread joins the queue, then sends one None per worker.
        var q = new FifoQueue<string?>();
        var handled = 0;
        var workers = Enumerable.Range(0, 3).Select(n => TestThreads.StartOne(
            () =>
            {
                while (q.Get() is { } item)
                {
                    Assert.StartsWith("item", item, StringComparison.Ordinal);
                    Interlocked.Increment(ref handled);
                    q.TaskDone();
                }
            },
            $"worker-{n}")).ToArray();
        for (var i = 0; i < 20; i++)
        {
            q.Put($"item {i}");
        }
        Assert.True(q.Join(Support.Bounded.Limit));
        Assert.Equal(20, Volatile.Read(ref handled));
        foreach (var _ in workers)
        {
            q.Put(null);
        }
        foreach (var w in workers)
        {
            w.Join();
        }
    }
}
