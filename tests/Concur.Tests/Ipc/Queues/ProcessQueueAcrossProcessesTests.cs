using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Queues;

/// <summary>Real child processes putting and getting: what CPython's queue gets wrong at exit and under load.</summary>
public sealed class ProcessQueueAcrossProcessesTests
{
    private const int Items = 2_000;

    [Fact]
    public void ChildThatExitsRightAfterPut_LosesNothing_AndJoiningItBeforeReadingNeverDeadlocks()
    {
        using var queue = new ProcessQueue<int[]>();
        var child = ChildProcess.Create(PutAndExit, QueueViews.Name(queue.Ring));
        child.Start();
        // CPython's child would block at exit flushing its feeder thread into a full pipe (cpython#73983).
        Assert.True(child.Join(Bounded.Limit), "The child did not exit: a put waited for a reader.");
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(Items + 1, queue.Count);
        for (int i = 0; i < Items; i++)
        {
            Assert.Equal(Enumerable.Repeat(i, i % 7).ToArray(), queue.Get(TimeSpan.Zero));
        }
        int[] large = queue.Get(TimeSpan.Zero);
        Assert.Equal(Enumerable.Range(0, 4 * 1024 * 1024).ToArray(), large);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void ProducerAndConsumerProcesses_EveryItemArrivesOnce_CountsAreExact()
    {
        using var queue = new JoinableProcessQueue<long>(maxSize: 64);
        using var results = new ProcessQueue<long[]>();
        int[] name = QueueViews.Name(queue.Ring);
        int[] resultsName = QueueViews.Name(results.Ring);
        var producers = Enumerable.Range(0, 2)
            .Select(p => ChildProcess.Create(Produce, new[] { name[0], name[1], p }))
            .ToList();
        var consumers = Enumerable.Range(0, 2)
            .Select(_ => ChildProcess.Create(Consume, new[] { name[0], name[1], resultsName[1] }))
            .ToList();
        try
        {
            foreach (var child in producers.Concat(consumers))
            {
                child.Start();
            }
            foreach (var producer in producers)
            {
                Assert.True(producer.Join(Bounded.Limit));
                Assert.Equal(0, producer.ExitCode);
            }
            Assert.True(queue.Join(Bounded.Limit), $"Unfinished: {queue.UnfinishedTaskCount}");
            queue.Put(-1);
            queue.Put(-1);
            long count = 0;
            long sum = 0;
            for (int i = 0; i < consumers.Count; i++)
            {
                long[] tally = results.Get(Bounded.Limit);
                count += tally[0];
                sum += tally[1];
            }
            long expected = Enumerable.Range(0, 2 * Items).Sum(i => (long)i);
            Assert.Equal(2 * Items, count);
            Assert.Equal(expected, sum);
            foreach (var consumer in consumers)
            {
                Assert.True(consumer.Join(Bounded.Limit));
            }
            Assert.Equal(0, queue.Count);
        }
        finally
        {
            foreach (var child in producers.Concat(consumers).Where(c => c.IsAlive))
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    [Fact]
    public void QueueUsers_KilledOrDone_LeaveNothing_TheMemoryGoesWithTheLastOne()
    {
        var queue = new ProcessQueue<byte[]>();
        using var never = new ProcessQueue<int>();
        string memory = "memfd:" + queue.Ring.MemoryName;
        var holder = new ChildProcess(() =>
        {
            queue.Put(new byte[1024 * 1024]);
            queue.Put([1]);
            never.Get(); // waits for ever: the queue is still held here when the test kills the child
        });
        holder.Start();
        try
        {
            Bounded.Until(() => queue.Count == 2, "the child's puts");
            Assert.Contains(holder.Pid!.Value, ProcessesHolding(memory));
            holder.Kill();
            Assert.True(holder.Join(Bounded.Limit));
            Assert.DoesNotContain(holder.Pid!.Value, ProcessesHolding(memory));
            Assert.Equal(new[] { Environment.ProcessId }, ProcessesHolding(memory));
            Assert.Equal(1024 * 1024, queue.Get(TimeSpan.Zero).Length);
        }
        finally
        {
            if (holder.IsAlive)
            {
                holder.Kill();
                holder.Join(Bounded.Limit);
            }
            queue.Dispose();
        }
        Assert.Empty(ProcessesHolding(memory)); // no descriptor, no mapping: the kernel has freed it
        Assert.Empty(TempFolderCheck.Leftovers(holder.Pid!.Value));
        Assert.DoesNotContain(FilesIn("/dev/shm").Concat(FilesIn(Path.GetTempPath())), f => f.Contains("concur-queue", StringComparison.Ordinal));
    }

    private static string[] FilesIn(string folder) =>
        Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder).Order(StringComparer.Ordinal).ToArray() : [];

    /// <summary>The processes that have <paramref name="memory"/> open or mapped, from /proc.</summary>
    private static int[] ProcessesHolding(string memory)
    {
        var holders = new SortedSet<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }
            try
            {
                if (File.ReadLines(Path.Combine(dir, "maps")).Any(l => l.Contains(memory + " ", StringComparison.Ordinal) || l.EndsWith(memory, StringComparison.Ordinal)) ||
                    Directory.GetFiles(Path.Combine(dir, "fd")).Any(fd => File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName.Contains(memory + " ", StringComparison.Ordinal) == true))
                {
                    holders.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was being read, or is not ours to read.
            }
        }
        return [.. holders];
    }

    private static void PutAndExit(int[] name)
    {
        var queue = QueueViews.Open<int[]>(name[0], name[1]);
        for (int i = 0; i < Items; i++)
        {
            queue.Put(Enumerable.Repeat(i, i % 7).ToArray());
        }
        queue.Put(Enumerable.Range(0, 4 * 1024 * 1024).ToArray());
        // No Dispose, no flush: the process ends here and nothing it put may be lost.
    }

    private static void Produce(int[] a)
    {
        using var queue = QueueViews.Open<long>(a[0], a[1]);
        for (int i = 0; i < Items; i++)
        {
            queue.Put(a[2] * Items + i);
        }
    }

    private static void Consume(int[] a)
    {
        using var queue = new JoinableProcessQueue<long>(Concur.Ipc.Internal.QueueRing.Attach(
            File.OpenHandle($"/proc/{a[0]}/fd/{a[1]}", FileMode.Open, FileAccess.ReadWrite)));
        using var results = QueueViews.Open<long[]>(a[0], a[2]);
        long count = 0;
        long sum = 0;
        while (true)
        {
            long item = queue.Get();
            queue.TaskDone();
            if (item < 0)
            {
                break;
            }
            count++;
            sum += item;
        }
        results.Put([count, sum]);
    }
}
