using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// Map and unordered map over a process pool: the input is read lazily in chunks, at most a bounded number of items
/// are in flight, and abandoning the enumeration cancels the chunks not yet sent. Kept apart from the executors so
/// that it can later share one windowing helper with the thread pool.
/// </summary>
internal static class ProcessMap
{
    /// <summary>Gets the chunk size: as Python's Pool.map (ceil(n / (4 * workers))) when the size is known, else 1.</summary>
    public static int ChunkSize<T>(IEnumerable<T> source, int requested, int workers)
    {
        if (requested > 0)
        {
            return requested;
        }
        if (source.TryGetNonEnumeratedCount(out int count))
        {
            return Math.Max(1, (int)Math.Ceiling(count / (4.0 * workers)));
        }
        return 1;
    }

    /// <summary>Gets how many chunks may be in flight: enough to cover the buffer, and at least two per worker.</summary>
    public static int Window(int chunkSize, int bufferSize, int workers) =>
        bufferSize > 0 ? Math.Max(1, (bufferSize + chunkSize - 1) / chunkSize) : Math.Max(4 * workers, 2);

    /// <summary>Yields the results in input order.</summary>
    public static IEnumerable<TResult> Ordered<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int window, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var inFlight = new Queue<WorkItem<TResult[]>>();
        using IEnumerator<TItem> items = source.GetEnumerator();
        bool exhausted = false;
        try
        {
            while (true)
            {
                while (!exhausted && inFlight.Count < window)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WorkItem<TResult[]>? chunk = NextChunk<TItem, TResult>(engine, function, target, items, chunkSize, ref exhausted);
                    if (chunk is not null)
                    {
                        inFlight.Enqueue(chunk);
                    }
                }
                if (inFlight.Count == 0)
                {
                    yield break;
                }
                WorkItem<TResult[]> head = inFlight.Peek();
                Wait(head.TypedTask, started, timeout, cancellationToken);
                inFlight.Dequeue();
                foreach (TResult result in head.TypedTask.GetAwaiter().GetResult())
                {
                    yield return result;
                }
            }
        }
        finally
        {
            foreach (WorkItem<TResult[]> chunk in inFlight)
            {
                engine.TryCancelQueued(chunk);
            }
        }
    }

    /// <summary>Yields the results as chunks complete.</summary>
    public static IEnumerable<TResult> Unordered<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int window, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var inFlight = new HashSet<WorkItem<TResult[]>>();
        using var completed = new BlockingCollection<WorkItem<TResult[]>>();
        using IEnumerator<TItem> items = source.GetEnumerator();
        bool exhausted = false;
        try
        {
            while (true)
            {
                while (!exhausted && inFlight.Count < window)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WorkItem<TResult[]>? chunk = NextChunk<TItem, TResult>(engine, function, target, items, chunkSize, ref exhausted);
                    if (chunk is not null)
                    {
                        inFlight.Add(chunk);
                        chunk.Task.ContinueWith(
                            static (_, state) =>
                            {
                                var (queue, item) = ((BlockingCollection<WorkItem<TResult[]>>, WorkItem<TResult[]>))state!;
                                try
                                {
                                    queue.Add(item);
                                }
                                catch (ObjectDisposedException)
                                {
                                    // The enumeration was abandoned.
                                }
                            },
                            (completed, chunk),
                            CancellationToken.None,
                            TaskContinuationOptions.ExecuteSynchronously,
                            TaskScheduler.Default);
                    }
                }
                if (inFlight.Count == 0)
                {
                    yield break;
                }
                TimeSpan left = Remaining(started, timeout);
                if (!completed.TryTake(out WorkItem<TResult[]>? done, left == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Ceiling(left.TotalMilliseconds), cancellationToken))
                {
                    throw new TimeoutException($"The map did not finish within its timeout of {timeout}.");
                }
                inFlight.Remove(done);
                foreach (TResult result in done.TypedTask.GetAwaiter().GetResult())
                {
                    yield return result;
                }
            }
        }
        finally
        {
            foreach (WorkItem<TResult[]> chunk in inFlight)
            {
                engine.TryCancelQueued(chunk);
            }
        }
    }

    private static WorkItem<TResult[]>? NextChunk<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerator<TItem> items, int chunkSize, ref bool exhausted)
    {
        var chunk = new TItem[chunkSize];
        int count = 0;
        while (count < chunkSize && items.MoveNext())
        {
            chunk[count++] = items.Current;
        }
        if (count < chunkSize)
        {
            exhausted = true;
            if (count == 0)
            {
                return null;
            }
            Array.Resize(ref chunk, count);
        }
        long id = CallFrames.NextId();
        byte[] frame = CallFrames.Build(FrameKind.InvokeChunk, id, function, target, chunk, "source");
        // Chunks are not stoppable: the map's token and timeout only stop the enumeration and unsent chunks.
        var item = new WorkItem<TResult[]>(id, function, frame, null, CancellationToken.None);
        engine.Enqueue(item);
        return item;
    }

    private static TimeSpan Remaining(long started, TimeSpan? timeout)
    {
        if (timeout is not TimeSpan limit || limit == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }
        TimeSpan left = limit - Stopwatch.GetElapsedTime(started);
        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private static void Wait(Task task, long started, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return;
        }
        TimeSpan left = Remaining(started, timeout);
        bool finished;
        try
        {
            finished = task.Wait(left, cancellationToken);
        }
        catch (AggregateException)
        {
            finished = true; // Faulted or cancelled: GetResult rethrows the original exception.
        }
        if (!finished)
        {
            throw new TimeoutException($"The map did not finish within its timeout of {timeout}.");
        }
    }
}
