using Concur.Tests.Futures;

namespace Concur.Tests.Processes;

/// <summary>
/// <see cref="ProcessPool"/>'s maps with default chunk sizes: <c>Imap</c> chooses chunks (Python's rule for a known
/// size, adaptive for an unknown one) and honours an explicit size; an item's exception keeps every result before it.
/// </summary>
public sealed class ProcessPoolMapTests(ProcessPoolFixture fixture) : IClassFixture<ProcessPoolFixture>
{
    private readonly ProcessPool _pool = fixture.Pool;

    private static int Pow(int x, int y) => y == 3 ? throw new InvalidOperationException($"no {x}^{y}") : (int)Math.Pow(x, y);

    [Fact]
    public void Imap_UnknownSizeSource_ResultsInInputOrder()
    {
        Assert.Equal(
            Enumerable.Range(0, 20_000).Select(ContractWork.Square),
            _pool.Imap(ContractWork.Square, Enumerable.Range(0, 20_000).Where(static _ => true)));
    }

    [Fact]
    public void ImapUnordered_UnknownSizeSource_YieldsEveryResultOnce()
    {
        Assert.Equal(
            Enumerable.Range(0, 20_000).Select(ContractWork.Square),
            _pool.ImapUnordered(ContractWork.Square, Enumerable.Range(0, 20_000).Where(static _ => true)).Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Imap_ItemThrows_EveryResultBeforeItYieldedThenItsException(int chunkSize)
    {
        var (yielded, thrown) = MapSemanticsTests.Drain(_pool.Imap(MapWork.SquareFailingAtFifty, Enumerable.Range(0, 100).Where(static _ => true), chunkSize));
        Assert.Equal(Enumerable.Range(0, 50).Select(ContractWork.Square), yielded);
        Assert.Equal("item 50 failed", Assert.IsType<RemoteException>(thrown).Message);
    }

    [Fact]
    public void Imap_KnownSizeDefaultChunks_EveryResultBeforeTheFailingItemYielded()
    {
        var (yielded, thrown) = MapSemanticsTests.Drain(_pool.Imap(MapWork.SquareFailingAtFifty, Enumerable.Range(0, 100).ToArray()));
        Assert.Equal(Enumerable.Range(0, 50).Select(ContractWork.Square), yielded);
        Assert.Equal("item 50 failed", Assert.IsType<RemoteException>(thrown).Message);
    }

    [Fact]
    public void ImapUnordered_OneChunkItemThrows_EveryResultBeforeItYieldedThenItsException()
    {
        var (yielded, thrown) = MapSemanticsTests.Drain(_pool.ImapUnordered(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 10), chunkSize: 10));
        Assert.Equal([0, 1, 4], yielded);
        Assert.Equal("item 3 failed", Assert.IsType<RemoteException>(thrown).Message);
    }

    [Fact]
    public void Map_ItemThrows_ThrowsThatItemsException()
    {
        var thrown = Assert.Throws<RemoteException>(() => _pool.Map(MapWork.SquareFailingAtFifty, Enumerable.Range(0, 100)));
        Assert.Equal("item 50 failed", thrown.Message);
    }

    [Fact]
    public void Starmap_PairThrowsInsideAChunk_ThrowsThatPairsException()
    {
        var pairs = Enumerable.Range(0, 10).Select(static i => (i, i == 6 ? 3 : 2)).ToArray();
        var thrown = Assert.Throws<RemoteException>(() => _pool.Starmap(Pow, pairs, chunkSize: 4));
        Assert.Equal("no 6^3", thrown.Message);
        Assert.Equal(Enumerable.Range(0, 10).Select(static i => i * i), _pool.Starmap(Pow, Enumerable.Range(0, 10).Select(static i => (i, 2)), chunkSize: 4));
    }

    [Fact]
    public void Imap_NegativeChunkSize_ThrowsAtTheCall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _pool.Imap(ContractWork.Square, [1], chunkSize: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _pool.ImapUnordered(ContractWork.Square, [1], chunkSize: -1));
    }

    [Fact]
    public void Imap_EndlessSource_ConsumedResultsAreCollectable()
    {
        using var results = _pool.Imap(MapWork.Blob, MapSemanticsTests.Naturals()).GetEnumerator();
        MapSemanticsTests.AssertConsumedResultsCollectable(results);
    }
}
