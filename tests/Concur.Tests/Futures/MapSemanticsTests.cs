using System.Runtime.CompilerServices;
using Concur.Tests.Support;

namespace Concur.Tests.Futures;

/// <summary>
/// What <see cref="IExecutor.Map"/> documents, whatever the chunk size and however the executor chunks by default,
/// run against every executor (as <see cref="ExecutorContractTests"/>): an item's exception costs none of the
/// results before it, and an endless map keeps no result it has yielded.
/// </summary>
public abstract class MapSemanticsTests
{
    /// <summary>Creates the executor under test.</summary>
    protected abstract IExecutor CreateExecutor(int maxWorkers);

    /// <summary>Asserts that <paramref name="thrown"/> is the user exception an item threw (a process pool wraps it).</summary>
    protected abstract void AssertUserException(Exception thrown, string expectedMessage);

    // ---------------------------------------------------------------- an item throws

    [Theory]
    [InlineData(2)] // fails at the second item of its chunk
    [InlineData(3)] // fails at the first item of its chunk
    [InlineData(4)] // fails at the last item of its chunk
    [InlineData(10)] // one chunk for everything
    public void Map_ChunkedItemThrows_EveryResultBeforeItYieldedThenItsException(int chunkSize)
    {
        using var executor = CreateExecutor(2);
        var (yielded, thrown) = Drain(executor.Map(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 10), chunkSize: chunkSize));
        Assert.Equal([0, 1, 4], yielded);
        AssertUserException(thrown, "item 3 failed");
    }

    [Fact]
    public void Map_DefaultChunksOfKnownSize_EveryResultBeforeTheFailingItemYielded()
    {
        using var executor = CreateExecutor(2);
        var (yielded, thrown) = Drain(executor.Map(MapWork.SquareFailingAtFifty, Enumerable.Range(0, 100).ToArray()));
        Assert.Equal(Enumerable.Range(0, 50).Select(ContractWork.Square), yielded);
        AssertUserException(thrown, "item 50 failed");
    }

    [Fact]
    public void Map_DefaultChunksOfUnknownSize_EveryResultBeforeTheFailingItemYielded()
    {
        using var executor = CreateExecutor(2);
        var (yielded, thrown) = Drain(executor.Map(MapWork.SquareFailingAtFifty, Enumerable.Range(0, 100).Where(static _ => true)));
        Assert.Equal(Enumerable.Range(0, 50).Select(ContractWork.Square), yielded);
        AssertUserException(thrown, "item 50 failed");
    }

    [Fact]
    public void Map_ChunkedItemThrows_RestOfItsChunkDoesNotRun()
    {
        using var executor = CreateExecutor(2);
        using var gate = new Gate();
        var before = gate.NewFilePath("before");
        var after = gate.NewFilePath("after");
        var (yielded, thrown) = Drain(executor.Map(MapWork.TouchOrFail, [before, "fail here", after], chunkSize: 3));
        Assert.Equal([before], yielded);
        AssertUserException(thrown, "fail here");
        Assert.True(File.Exists(before));
        Assert.False(File.Exists(after), "an item after the failing one in its chunk ran");
    }

    [Fact]
    public void MapUnordered_OneChunkItemThrows_EveryResultBeforeItYieldedThenItsException()
    {
        using var executor = CreateExecutor(2);
        var (yielded, thrown) = Drain(executor.MapUnordered(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 10), chunkSize: 10));
        Assert.Equal([0, 1, 4], yielded);
        AssertUserException(thrown, "item 3 failed");
    }

    [Fact]
    public void MapUnordered_ChunkedItemThrows_ResultsBeforeItAmongThoseYielded()
    {
        using var executor = CreateExecutor(2);
        var (yielded, thrown) = Drain(executor.MapUnordered(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 12), chunkSize: 4));
        // Other chunks may complete first, but the failing chunk's results before item 3 always come before its error.
        Assert.Subset(yielded.ToHashSet(), new HashSet<int> { 0, 1, 4 });
        Assert.Equal(yielded.Count, yielded.Distinct().Count());
        Assert.DoesNotContain(9, yielded);
        AssertUserException(thrown, "item 3 failed");
    }

    [Fact]
    public void Map_DefaultChunksOfUnknownSize_ResultsInInputOrder()
    {
        using var executor = CreateExecutor(2);
        var results = executor.Map(ContractWork.Square, Enumerable.Range(0, 20_000).Where(static _ => true)).ToArray();
        Assert.Equal(Enumerable.Range(0, 20_000).Select(ContractWork.Square), results);
    }

    [Fact]
    public void MapUnordered_DefaultChunksOfUnknownSize_YieldsEveryResultOnce()
    {
        using var executor = CreateExecutor(2);
        var results = executor.MapUnordered(ContractWork.Square, Enumerable.Range(0, 20_000).Where(static _ => true)).ToList();
        Assert.Equal(Enumerable.Range(0, 20_000).Select(ContractWork.Square), results.Order());
    }

    // ---------------------------------------------------------------- memory of an endless map

    [Theory]
    [InlineData(0)] // each executor's default: one item per task for threads, adaptive chunks for processes
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)] // the consumed results are still in the chunk being yielded
    public void Map_EndlessSourceWithBufferSize_ConsumedResultsAreCollectable(int chunkSize)
    {
        using var executor = CreateExecutor(2);
        using var results = executor.Map(MapWork.Blob, Naturals(), chunkSize: chunkSize, bufferSize: 2).GetEnumerator();
        AssertConsumedResultsCollectable(results);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public void MapUnordered_EndlessSourceWithBufferSize_ConsumedResultsAreCollectable(int chunkSize)
    {
        using var executor = CreateExecutor(2);
        using var results = executor.MapUnordered(MapWork.Blob, Naturals(), chunkSize: chunkSize, bufferSize: 2).GetEnumerator();
        AssertConsumedResultsCollectable(results);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Consumes 20 results keeping only weak references to them, goes on enumerating (so the map is still running),
    /// and checks after a full collection that none of the 20 is still reachable: not through the chunks in flight,
    /// nor through the rest of the chunk being yielded, nor through a cancellation registration per chunk (which
    /// held 64 KiB per result of an endless map before).
    /// </summary>
    internal static void AssertConsumedResultsCollectable(IEnumerator<byte[]> results)
    {
        var consumed = ConsumeWeakly(results, 20);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(results.MoveNext());
        }
        // Collected, polled within the suite's bound: a result may still be on its way through a continuation on a
        // busy machine for a moment; a result that something keeps fails after the bound.
        Bounded.Until(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return consumed.All(static w => !w.IsAlive);
        }, "none of the 20 consumed results is reachable while the map goes on");
        Assert.True(results.MoveNext());
    }

    // Not inlined, so no reference to a result survives in the test method's frame (Debug builds keep locals alive).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> ConsumeWeakly(IEnumerator<byte[]> results, int count)
    {
        var weak = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(results.MoveNext());
            Assert.Equal(MapWork.BlobSize, results.Current.Length);
            weak.Add(new WeakReference(results.Current));
        }
        return weak;
    }

    /// <summary>Enumerates <paramref name="results"/> until it throws; returns what it yielded and what it threw.</summary>
    internal static (List<T> Yielded, Exception Thrown) Drain<T>(IEnumerable<T> results)
    {
        var yielded = new List<T>();
        var thrown = Assert.ThrowsAny<Exception>(() =>
        {
            foreach (var result in results)
            {
                yielded.Add(result);
            }
        });
        return (yielded, thrown);
    }

    /// <summary>Yields 0, 1, 2, ... without end (an iterator: its size is unknown).</summary>
    internal static IEnumerable<int> Naturals()
    {
        for (var i = 0; ; i++)
        {
            yield return i;
        }
    }
}
