using System.Diagnostics;
using Concur.Ipc.Internal;
using Concur.Tests.Support;
using Xunit.Abstractions;

namespace Concur.Tests.Ipc.Queues;

/// <summary>
/// Kill-at-point tests: a child process stops inside the queue at a chosen step (holding a lock, in the middle of a
/// record, between the records of a large item, asleep), tells the test, and is SIGKILLed there. The others go on, and
/// every item arrives whole or not at all.
/// </summary>
public sealed class ProcessQueueKillTests(ITestOutputHelper output)
{
    private const int Put = 0;
    private const int Get = 1;
    private const int Large = 3 * 1024 * 1024 + 5;
    private const int Small = 100;

    [Theory]
    [InlineData(nameof(QueueStep.PutLocked), false)]
    [InlineData(nameof(QueueStep.PutRecordWritten), false)]
    [InlineData(nameof(QueueStep.PutRecordWritten), true)]
    [InlineData(nameof(QueueStep.PutBetweenRecords), true)]
    [InlineData(nameof(QueueStep.Sleeping), false)]
    public async Task ProducerKilled_AtAStep_OthersGoOn_AndItsItemArrivesWholeOrNotAtAll(string stepName, bool large)
    {
        var step = Enum.Parse<QueueStep>(stepName);
        using var queue = new ProcessQueue<byte[]>(maxSize: step == QueueStep.Sleeping ? 1 : 0);
        using var control = new ProcessQueue<int>();
        queue.Put(Item(1, Small));
        var child = StartStopped(queue, control, step, Put, large);
        try
        {
            // A producer of this process waits for the producer lock (or for room) while the child holds it.
            Task putting = QueueViews.OnThread(() => { queue.Put(Item(3, Small)); return 0; });
            TimeSpan afterKill = await KillAndTime(child, async () =>
            {
                if (step == QueueStep.Sleeping)
                {
                    Assert.Equal(Item(1, Small), queue.Get(Bounded.Limit)); // room for the waiting put
                }
                await Bounded.Within(putting);
            });
            output.WriteLine($"{step} (large: {large}): the other producer went on {afterKill.TotalMilliseconds:F1} ms after the kill");
            var rest = Drain(queue);
            if (step != QueueStep.Sleeping)
            {
                Assert.Equal(Item(1, Small), rest[0]);
                rest.RemoveAt(0);
            }
            Assert.Equal([Item(3, Small)], rest);
            Assert.Equal(0, queue.Count);
        }
        finally
        {
            EndChild(child);
        }
    }

    [Theory]
    [InlineData(nameof(QueueStep.GetLocked), false, true)]
    [InlineData(nameof(QueueStep.GetRecordCopied), false, true)]
    [InlineData(nameof(QueueStep.GetRecordCopied), true, false)]
    [InlineData(nameof(QueueStep.GetBetweenRecords), true, false)]
    public async Task ConsumerKilled_AtAStep_OthersGoOn_AndTheItemIsTakenWholeOrLost(string stepName, bool large, bool itemSurvives)
    {
        var step = Enum.Parse<QueueStep>(stepName);
        using var queue = new ProcessQueue<byte[]>();
        using var control = new ProcessQueue<int>();
        byte[] first = Item(1, large ? Large : Small);
        queue.Put(first);
        queue.Put(Item(2, Small));
        var child = StartStopped(queue, control, step, Get, large);
        try
        {
            // A consumer of this process waits for the consumer lock while the child holds it.
            Task<byte[]> getting = QueueViews.OnThread(() => queue.Get(Bounded.Limit));
            TimeSpan afterKill = await KillAndTime(child, () => Bounded.Within(getting));
            output.WriteLine($"{step} (large: {large}): the other consumer went on {afterKill.TotalMilliseconds:F1} ms after the kill");
            var got = new List<byte[]> { await getting };
            got.AddRange(Drain(queue));
            List<byte[]> expected = itemSurvives ? [first, Item(2, Small)] : [Item(2, Small)];
            Assert.Equal(expected.Select(i => (i.Length, i[0])), got.Select(i => (i.Length, i[0])));
            Assert.Equal(expected, got);
            Assert.Equal(0, queue.Count);
            queue.Put(Item(4, Large));
            Assert.Equal(Item(4, Large), queue.Get(Bounded.Limit));
        }
        finally
        {
            EndChild(child);
        }
    }

    [Fact]
    public async Task ConsumerKilled_WhileAsleepInGet_OthersGoOn()
    {
        using var queue = new ProcessQueue<byte[]>();
        using var control = new ProcessQueue<int>();
        var child = StartStopped(queue, control, QueueStep.Sleeping, Get, large: false);
        try
        {
            await KillAndTime(child, () => Task.CompletedTask);
            queue.Put(Item(5, Small));
            Assert.Equal(Item(5, Small), await queue.GetAsync(Bounded.Limit));
        }
        finally
        {
            EndChild(child);
        }
    }

    private static byte[] Item(int tag, int size)
    {
        byte[] item = new byte[size];
        for (int i = 0; i < item.Length; i++)
        {
            item[i] = (byte)(tag * 31 + i);
        }
        return item;
    }

    private static List<byte[]> Drain(ProcessQueue<byte[]> queue)
    {
        var items = new List<byte[]>();
        while (queue.TryGet(out byte[]? item))
        {
            items.Add(item);
        }
        return items;
    }

    private static ChildProcess StartStopped(ProcessQueue<byte[]> queue, ProcessQueue<int> control, QueueStep step, int operation, bool large)
    {
        int[] name = QueueViews.Name(queue.Ring);
        int[] controlName = QueueViews.Name(control.Ring);
        var child = ChildProcess.Create(StopAt, new[] { name[0], name[1], controlName[1], (int)step, operation, large ? 1 : 0 });
        child.Start();
        int signal = control.Get(Bounded.Limit);
        Assert.True(signal == 1, $"The child did not stop at {step}: it ran the whole operation.");
        return child;
    }

    private static async Task<TimeSpan> KillAndTime(ChildProcess child, Func<Task> othersGoOn)
    {
        child.Kill();
        var watch = Stopwatch.StartNew();
        await othersGoOn();
        TimeSpan elapsed = watch.Elapsed;
        Assert.True(child.Join(Bounded.Limit));
        return elapsed;
    }

    private static void EndChild(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }

    /// <summary>Runs in the child: arms the kill point, runs one operation, and stops at the step until killed.</summary>
    private static void StopAt(int[] a)
    {
        using var queue = QueueViews.Open<byte[]>(a[0], a[1]);
        using var control = QueueViews.Open<int>(a[0], a[2]);
        var step = (QueueStep)a[3];
        QueueRing.KillPoint = (ring, at) =>
        {
            if (ring == queue.Ring && at == step)
            {
                QueueRing.KillPoint = null;
                control.Put(1);
                Thread.Sleep(Timeout.Infinite); // the participant stopped at its step, until the test kills it
            }
        };
        if (a[4] == Put)
        {
            queue.Put(Item(9, a[5] == 1 ? Large : Small));
        }
        else
        {
            queue.Get();
        }
        control.Put(0);
    }
}
