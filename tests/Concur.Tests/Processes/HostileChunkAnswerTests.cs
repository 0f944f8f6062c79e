using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// A worker that answers a map chunk with a body that is not a chunk's answer (<c>[done, error | nil, results]</c>,
/// fitting the chunk) sent a corrupt frame: that worker is killed and replaced, the map fails at that chunk with a
/// <see cref="WorkerCrashedException"/> that says so, and the pool goes on.
/// </summary>
public sealed class HostileChunkAnswerTests(HostilePoolFixture fixture) : IClassFixture<HostilePoolFixture>
{
    private static readonly byte[] s_validError = [0x94, 0xA1, (byte)'E', 0xA1, (byte)'m', 0xA0, 0xC0]; // ["E", "m", "", nil]

    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static int Square(int x) => x * x;

    public static TheoryData<byte[], string> Bodies => new()
    {
        { [0xC1], "not a chunk's answer" },
        { [0x92, 0x01, 0xC0], "an array of 2 elements" },
        { [0x93, 0x02, 0xC0, 0xC0], "2 results without an error for a chunk of 1 items" },
        { [0x93, 0x00, 0xC0, 0xC0], "0 results without an error for a chunk of 1 items" },
        { [0x93, 0x01, .. s_validError, 0xC0], "an error at item 1 of a chunk of 1 items" },
        { [0x93, 0x00, 0xC1, 0xC0], "not a chunk's answer" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Map_ChunkAnsweredWithMalformedBody_FailsThatChunkAsCorrupt(byte[] body, string what)
    {
        var spec = (HostileWorker.Result, 0L, body);
        var results = _pool.Map(HostileWorker.WriteForRunningTaskAndHang, [spec], chunkSize: 1);
        var e = Assert.Throws<WorkerCrashedException>(() => results.ToList());
        Assert.True(e.Message.Contains("sent a corrupt frame", StringComparison.Ordinal) && e.Message.Contains(what, StringComparison.Ordinal),
            $"Expected a corrupt-frame account containing '{what}', got: {e.Message}");
        Assert.False(_pool.IsBroken);
        Assert.Equal(49, await Bounded.Within(_pool.Submit(Square, 7)));
        Assert.Equal([0, 1, 4], _pool.Map(Square, [0, 1, 2], chunkSize: 3));
    }

    [Fact]
    public async Task Map_ChunkAnsweredWithWellFormedBodyButWrongResults_FailsThatChunkAndNothingElse()
    {
        // [1, nil, "x"]: the shape fits a chunk of one item, but the results are not an int[] of one.
        await using var own = new ProcessPoolExecutor(1, HostilePoolFixture.Limits);
        Assert.Equal(1, await Bounded.Within(own.Submit(Square, 1)));
        int pid = Assert.Single(own.WorkerProcessIds);
        var spec = (HostileWorker.Result, 0L, new byte[] { 0x93, 0x01, 0xC0, 0xA1, (byte)'x' });
        var e = Assert.Throws<RemoteException>(() => own.Map(HostileWorker.WriteForRunningTask, [spec], chunkSize: 1).ToList());
        Assert.Contains("could not be deserialized", e.Message, StringComparison.Ordinal);
        // The worker's own answer for that chunk then arrives for a task it is no longer running: a corrupt frame, so
        // it is replaced, without failing anything else.
        Bounded.Until(() => own.WorkerProcessIds.Count == 1 && !own.WorkerProcessIds.Contains(pid), "the worker is replaced");
        Assert.Equal(49, await Bounded.Within(own.Submit(Square, 7)));
    }
}
