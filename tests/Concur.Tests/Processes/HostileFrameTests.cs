using Concur.Processes.Internal;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>A two-worker pool that accepts frames up to 1 MiB and calls a frame stalled after 2 s.</summary>
public sealed class HostilePoolFixture : IAsyncLifetime
{
    internal static readonly ChannelLimits Limits = new(1 << 20, TimeSpan.FromSeconds(2));

    public ProcessPoolExecutor Pool { get; } = new(2, Limits);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Pool.DisposeAsync();
}

/// <summary>
/// One test per kind of hostile frame a worker can write to its result pipe: each kills and replaces only that
/// worker, fails only its task with a message that says the worker sent a corrupt frame (and what), and leaves the
/// pool working.
/// </summary>
public sealed class HostileFrameTests(HostilePoolFixture fixture) : IClassFixture<HostilePoolFixture>
{
    private static readonly byte[] s_notAnError = [0xC1]; // A MessagePack byte that is never valid.

    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static int Square(int x) => x * x;

    private async Task<WorkerCrashedException> AssertCorrupt(Task<int> task, string what)
    {
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(task));
        Assert.True(e.Message.Contains("sent a corrupt frame", StringComparison.Ordinal) && e.Message.Contains(what, StringComparison.Ordinal),
            $"Expected a corrupt-frame account containing '{what}', got: {e.Message}");
        Assert.DoesNotContain("SIGKILL", e.Message, StringComparison.Ordinal);
        Assert.Null(e.Signal);
        Assert.False(_pool.IsBroken);
        Assert.Equal(49, await Bounded.Within(_pool.Submit(Square, 7)));
        return e;
    }

    [Fact]
    public async Task Submit_ErrorFrameWithMalformedBody_FailsOnlyThatTask()
    {
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteForRunningTask, (HostileWorker.Error, 0L, s_notAnError)), "whose body is not an error");
    }

    [Fact]
    public async Task Submit_StrayInitializeFailedWithoutInitializer_DoesNotBreakThePool()
    {
        byte[] validError = [0x94, 0xA1, (byte)'E', 0xA1, (byte)'m', 0xA0, 0xC0]; // ["E", "m", "", nil]
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteForRunningTask, (HostileWorker.InitializeFailed, long.MinValue, validError)), "the pool has no initializer");
        Assert.False(_pool.IsBroken);
    }

    [Fact]
    public async Task Submit_InitializeFailedWithMalformedBody_FailsOnlyThatTask()
    {
        await using var withInitializer = new ProcessPoolExecutor(1, HostilePoolFixture.Limits, initializer: static () => { });
        var task = withInitializer.Submit(HostileWorker.WriteForRunningTask, (HostileWorker.InitializeFailed, long.MinValue, s_notAnError));
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(task));
        Assert.Contains("sent a corrupt frame", e.Message, StringComparison.Ordinal);
        Assert.Contains("whose body is not an error", e.Message, StringComparison.Ordinal);
        Assert.False(withInitializer.IsBroken);
        Assert.Equal(49, await Bounded.Within(withInitializer.Submit(Square, 7)));
    }

    [Fact]
    public async Task Submit_TruncatedFrame_FailsTheTaskInsteadOfLeavingItPending()
    {
        // A Result header for the running task that promises 10,000 body bytes; 5 come, then the worker's real answer,
        // swallowed as body, then nothing.
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteTruncatedForRunningTask, 10_000), "stopped arriving");
    }

    [Fact]
    public async Task Submit_FrameCutOffByDeath_IsReportedAsCorruptNotAsACrash()
    {
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndDie, new byte[] { 40, 0, 0 }), "cut off inside its header");
    }

    [Fact]
    public async Task Submit_HugeLengthPrefix_FailsAtOnceAboveTheLimit()
    {
        byte[] frame = HostileWorker.Frame(HostileWorker.Result, 0, [], lengthPrefix: int.MaxValue);
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndHang, frame), "above the limit of 1,048,576 bytes");
    }

    [Fact]
    public async Task Submit_LengthPrefixBelowHeader_FailsThatTask()
    {
        byte[] frame = HostileWorker.Frame(HostileWorker.Result, 0, [], lengthPrefix: 3);
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndHang, frame), "below the 9 bytes");
    }

    [Fact]
    public async Task Submit_ReadyFrameWhileRunning_FailsAtOnceInsteadOfRestartingTheClock()
    {
        byte[] ready = HostileWorker.Frame(HostileWorker.Ready, Environment.ProcessId, []);
        // A hard timeout the task cannot reach: the stray Ready frame ends it first (it used to restart its clock).
        var task = _pool.Submit(HostileWorker.WriteAndHang, ready, TimeSpan.FromSeconds(20));
        await AssertCorrupt(task, "a second Ready frame");
    }

    [Fact]
    public async Task Submit_ResultForAnotherTask_FailsThatTask()
    {
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.Result, 1_000_000L, new byte[] { 0x01 }));
        await AssertCorrupt(task, "while it was running task");
    }

    [Fact]
    public async Task Submit_SkippedForTheRunningTask_FailsThatTask()
    {
        // Skipped answers only a task the parent took back; the running task was not.
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.Skipped, 0L, Array.Empty<byte>()));
        await AssertCorrupt(task, "which the parent had not taken back");
    }

    [Fact]
    public async Task Submit_SkippedForAnotherTask_FailsThatTask()
    {
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.Skipped, 1_000_000L, Array.Empty<byte>()));
        await AssertCorrupt(task, "which is not the next task it was sent");
    }

    [Fact]
    public async Task Submit_UnknownFrameKind_FailsThatTask()
    {
        byte[] frame = HostileWorker.Frame(200, 0, [1, 2, 3]);
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndHang, frame), "unknown kind 200");
    }

    [Fact]
    public async Task Submit_ParentBoundFrameFromWorker_FailsThatTask()
    {
        byte[] frame = HostileWorker.Frame((byte)FrameKind.Exit, 0, []);
        await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndHang, frame), "kind Exit");
    }

    [Fact]
    public async Task Submit_CorruptFrame_ReplacesOnlyThatWorker()
    {
        Assert.Equal(49, await Bounded.Within(_pool.Submit(Square, 7)));
        Bounded.Until(() => _pool.WorkerProcessIds.Count == 2, "both workers are up");
        byte[] frame = HostileWorker.Frame(200, 0, []);
        WorkerCrashedException e = await AssertCorrupt(_pool.Submit(HostileWorker.WriteAndHang, frame), "unknown kind 200");
        Bounded.Until(() => _pool.WorkerProcessIds.Count == 2 && !_pool.WorkerProcessIds.Contains(e.ProcessId), "the corrupt worker is replaced");
    }

    [Fact]
    public async Task Submit_ResultArrayForAnotherTask_FailsThatTask()
    {
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.ResultArray, 1_000_000L, new byte[] { (byte)TypeCode.Int32, 1, 0, 0, 0 }));
        await AssertCorrupt(task, "a ResultArray frame for task");
    }

    [Fact]
    public async Task Submit_ResultArrayOfUnknownElementType_FailsThatTask()
    {
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.ResultArray, 0L, new byte[] { (byte)TypeCode.Object, 1, 2 }));
        await AssertCorrupt(task, "unknown element type code");
    }

    [Fact]
    public async Task Submit_ResultArrayNotAWholeNumberOfElements_FailsThatTask()
    {
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskAndHang, (HostileWorker.ResultArray, 0L, new byte[] { (byte)TypeCode.Double, 1, 2, 3 }));
        await AssertCorrupt(task, "not a whole number of 8-byte Double elements");
    }

    [Fact]
    public async Task Submit_ResultArrayThenAnError_FailsThatTask()
    {
        byte[] frames = [.. HostileWorker.Frame(HostileWorker.ResultArray, 0, [(byte)TypeCode.Byte, 7]), .. HostileWorker.Frame(HostileWorker.Error, 0, s_notAnError)];
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskFramesAndHang, frames);
        await AssertCorrupt(task, "after 1 ResultArray frames");
    }

    [Fact]
    public async Task Submit_ResultArraysAboveTheLimitInAll_FailsThatTask()
    {
        byte[] body = new byte[1 + (600 << 10)];
        body[0] = (byte)TypeCode.Byte;
        byte[] frame = HostileWorker.Frame(HostileWorker.ResultArray, 0, body);
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskFramesAndHang, (byte[])[.. frame, .. frame]);
        await AssertCorrupt(task, "ResultArray frames of more than 1,048,576 bytes in all");
    }

    [Fact]
    public async Task Submit_ResultWithAnArrayItNeverRefersTo_FailsOnlyThatTaskAndKeepsTheWorker()
    {
        // The worker's answer (49, in band) comes after an array it does not refer to: the result cannot be trusted.
        var task = _pool.Submit(HostileWorker.WriteForRunningTaskFrames, (byte[])[.. HostileWorker.Frame(HostileWorker.ResultArray, 0, [(byte)TypeCode.Byte, 7])]);
        var e = await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(task));
        Assert.Contains("never refers to it", e.Message, StringComparison.Ordinal);
        Assert.Equal(49, await Bounded.Within(_pool.Submit(Square, 7)));
    }
}
