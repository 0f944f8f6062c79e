using Concur.Processes.Internal;

namespace Concur.Tests.Processes;

/// <summary>
/// How a process map cuts its source: the caller's chunk size as given, Python's rule for a known size, and for an
/// unknown size chunks that start at one item and grow toward Python's rule of the items seen, within the caps.
/// </summary>
public sealed class AdaptiveChunksTests
{
    [Fact]
    public void Cut_TwoWorkers_FirstNineChunksHoldOneItem()
    {
        var sizes = new AdaptiveChunks(workers: 2).Cut(Enumerable.Range(0, 1000).Where(static _ => true)).Select(static c => c.Length).Take(12);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2], sizes);
    }

    [Theory]
    [InlineData(1, 100_000)]
    [InlineData(2, 1_000_000)]
    [InlineData(16, 1_000_000)]
    public void Cut_LongSource_EachChunkIsPythonsRuleForTheItemsSeenWithinTheCap(int workers, int n)
    {
        long seen = 0;
        int largest = 0;
        foreach (int[] chunk in new AdaptiveChunks(workers).Cut(Enumerable.Range(0, n).Where(static _ => true)))
        {
            Assert.Equal(seen, chunk[0]); // in order, nothing lost or repeated
            long python = (seen + (4 * workers) - 1) / (4 * workers);
            int expected = (int)Math.Min(Math.Clamp(python, 1, AdaptiveChunks.MaxItems), n - seen);
            Assert.Equal(expected, chunk.Length);
            seen += chunk.Length;
            largest = Math.Max(largest, chunk.Length);
        }
        Assert.Equal(n, seen);
        Assert.Equal(AdaptiveChunks.MaxItems, largest);
    }

    [Fact]
    public void Cut_MillionItemsOnTwoWorkers_TakesAFewHundredChunks()
    {
        int chunks = new AdaptiveChunks(workers: 2).Cut(Enumerable.Range(0, 1_000_000).Where(static _ => true)).Count();
        Assert.Equal(196, chunks); // as the class remarks say; an array gets 8
    }

    [Fact]
    public void Cut_Lazy_ReadsAnItemOnlyWhenItsChunkIsAskedFor()
    {
        var source = new CountingSource(10_000);
        using var chunks = new AdaptiveChunks(workers: 2).Cut(source).GetEnumerator();
        Assert.Equal(0, source.MoveNextCalls);
        Assert.True(chunks.MoveNext());
        Assert.Equal(1, source.MoveNextCalls);
        for (int i = 0; i < 12; i++)
        {
            Assert.True(chunks.MoveNext());
        }
        Assert.Equal(9 + (4 * 2), source.MoveNextCalls); // nine single items, then four chunks of two
    }

    [Fact]
    public void Cut_SourceEndsInsideAChunk_LastChunkHoldsTheRestAndTheSourceIsNotAskedAgain()
    {
        var source = new CountingSource(19);
        var chunks = new AdaptiveChunks(workers: 2).Cut(source).ToList();
        Assert.Equal(Enumerable.Range(0, 19), chunks.SelectMany(static c => c));
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], chunks.Select(static c => c.Length)); // the last would hold 3
        Assert.Equal(20, source.MoveNextCalls); // 19 items and the one that said "no more"
    }

    [Fact]
    public void Cut_EmptySource_NoChunk()
    {
        Assert.Empty(new AdaptiveChunks(workers: 2).Cut(Enumerable.Empty<int>().Where(static _ => true)));
    }

    [Fact]
    public void Observe_CheapSmallItems_LimitStaysAtMaxItems()
    {
        var sizer = new AdaptiveChunks(workers: 2);
        sizer.Observe(items: 1000, bytes: 8000, elapsed: System.Diagnostics.Stopwatch.Frequency / 1000);
        Assert.Equal(AdaptiveChunks.MaxItems, sizer.Limit);
    }

    [Fact]
    public void Observe_LargeItems_ChunksStayNearTargetBytes()
    {
        var sizer = new AdaptiveChunks(workers: 2);
        sizer.Observe(items: 10, bytes: 10 * 64 * 1024, elapsed: 1);
        Assert.Equal(16, sizer.Limit); // 1 MiB of 64 KiB items
        Assert.Equal(16, sizer.SizeAfter(1_000_000));
    }

    [Fact]
    public void Observe_SlowItems_ChunksStayNearTargetTime()
    {
        var sizer = new AdaptiveChunks(workers: 2);
        sizer.Observe(items: 4, bytes: 40, elapsed: 2 * System.Diagnostics.Stopwatch.Frequency); // half a second an item
        Assert.Equal(1, sizer.Limit);
        sizer.Observe(items: 4, bytes: 40, elapsed: System.Diagnostics.Stopwatch.Frequency / 100); // 2.5 ms an item
        Assert.Equal(40, sizer.Limit);
    }

    [Fact]
    public void Plan_ExplicitChunkSize_HonouredWhateverTheSource()
    {
        Assert.Null(ProcessMap.Plan(Enumerable.Range(0, 100).Where(static _ => true), 1, 2, out IEnumerable<int[]> unknown));
        Assert.All(unknown, static c => Assert.Single(c));
        Assert.Null(ProcessMap.Plan(Enumerable.Range(0, 100).ToArray(), 7, 2, out IEnumerable<int[]> known));
        Assert.Equal([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2], known.Select(static c => c.Length));
    }

    [Fact]
    public void Plan_KnownSize_PythonsRule()
    {
        Assert.Null(ProcessMap.Plan(Enumerable.Range(0, 100).ToArray(), 0, 2, out IEnumerable<int[]> chunks));
        Assert.Equal([13, 13, 13, 13, 13, 13, 13, 9], chunks.Select(static c => c.Length)); // ceil(100 / 8)
    }

    [Fact]
    public void Plan_KnownSize_CappedAtMaxItems()
    {
        Assert.Null(ProcessMap.Plan(new int[1_000_000], 0, 2, out IEnumerable<int[]> chunks));
        int[] lengths = [.. chunks.Select(static c => c.Length)];
        Assert.Equal(1_000_000, lengths.Sum());
        Assert.All(lengths[..^1], static n => Assert.Equal(AdaptiveChunks.MaxItems, n)); // not Python's 125,000
        Assert.Equal(1_000_000 % AdaptiveChunks.MaxItems, lengths[^1]);
    }

    [Fact]
    public void Plan_UnknownSize_Adaptive()
    {
        Assert.NotNull(ProcessMap.Plan(Enumerable.Range(0, 100).Where(static _ => true), 0, 2, out IEnumerable<int[]> chunks));
        Assert.Single(chunks.First());
    }

    /// <summary>0 .. count - 1, counting MoveNext calls (an iterator: its size is unknown).</summary>
    private sealed class CountingSource(int count) : IEnumerable<int>
    {
        public int MoveNextCalls { get; private set; }

        public IEnumerator<int> GetEnumerator()
        {
            for (int i = 0; ; i++)
            {
                MoveNextCalls++;
                if (i >= count)
                {
                    yield break;
                }
                yield return i;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
