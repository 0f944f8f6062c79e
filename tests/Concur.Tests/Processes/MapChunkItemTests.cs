using System.Runtime.CompilerServices;
using Concur.Processes.Internal;
using Concur.Serialization;
using Concur.Tests.Futures;

namespace Concur.Tests.Processes;

/// <summary>
/// A map chunk lets go of its stop token when it ends: the token lives as long as the enumeration, so a registration
/// kept past the chunk would hold every chunk (and its results) of an endless map.
/// </summary>
public sealed class MapChunkItemTests
{
    [Fact]
    public void CancelWhileQueued_ChunkEnds_RegistrationDropped()
    {
        using var stop = new CancellationTokenSource();
        var chunk = EndedChunk(registerFirst: true, stop.Token);
        AssertCollected(chunk);
        stop.Cancel(); // Nothing left to call back.
    }

    [Fact]
    public void CancelWhileQueued_ChunkEndedBeforeRegistration_RegistrationDropped()
    {
        using var stop = new CancellationTokenSource();
        var chunk = EndedChunk(registerFirst: false, stop.Token);
        AssertCollected(chunk);
    }

    [Fact]
    public void CancelWhileQueued_TokenThatCannotBeCancelled_NothingRegistered()
    {
        var chunk = EndedChunk(registerFirst: true, CancellationToken.None);
        AssertCollected(chunk);
    }

    private static void AssertCollected(WeakReference chunk)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(chunk.IsAlive, "the stop token's registration still holds the chunk after it ended");
    }

    // Not inlined, so the chunk is referenced by nothing but the token once this returns (Debug keeps locals alive).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference EndedChunk(bool registerFirst, CancellationToken stop)
    {
        var item = new MapChunkItem<int>(
            1, FunctionRef.From((Func<int, int>)ContractWork.Square, "function"), new OutgoingFrame(new byte[13]), 4, null);
        // A chunk that is never queued: its token's callback would find it not queued and do nothing. The engine is
        // not needed for that, and only the registration's lifetime is under test.
        if (registerFirst)
        {
            item.CancelWhileQueued(null!, stop);
            item.Fail(new InvalidOperationException("ended"));
        }
        else
        {
            item.Fail(new InvalidOperationException("ended"));
            item.CancelWhileQueued(null!, stop);
        }
        Assert.True(item.TypedTask.IsFaulted);
        return new WeakReference(item);
    }
}
