using System.Runtime.CompilerServices;
using Concur.Tests.Futures;

namespace Concur.Tests.Processes;

/// <summary>The Map semantics, run against <see cref="ProcessPoolExecutor"/>, and what only a process pool has.</summary>
public sealed class ProcessPoolExecutorMapSemanticsTests : MapSemanticsTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ProcessPoolExecutor(maxWorkers);

    protected override void AssertUserException(Exception thrown, string expectedMessage)
    {
        var remote = Assert.IsType<RemoteException>(thrown);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteTypeName);
        Assert.Equal(expectedMessage, remote.Message);
    }

    [Fact]
    public void Map_ExecutorDroppedDuringEnumeration_EnumerationGoesOn()
    {
        using var results = MapOnAnExecutorNobodyHolds().GetEnumerator();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(results.MoveNext());
        }
        // The executor is unreachable but for the enumeration: it must not be finalized (and shut down) under it.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        for (var i = 10; i < 200; i++)
        {
            Assert.True(results.MoveNext());
            Assert.Equal(i * i, results.Current);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IEnumerable<int> MapOnAnExecutorNobodyHolds() =>
        new ProcessPoolExecutor(1).Map(ContractWork.Square, Naturals(), chunkSize: 1, bufferSize: 2);
}
