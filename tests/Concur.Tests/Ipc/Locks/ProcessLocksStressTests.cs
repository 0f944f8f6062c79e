using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// Bounded stress and kill-mid-update runs of the process locks: nested re-entry from several processes keeps a count
/// exact; a process killed while it updates a barrier's or a name's shared words blocks no one.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessLocksStressTests
{
    [Fact]
    public void ReentrantLock_ThreeProcessesIncrementUnderNestedHolds_TheCountIsExact()
    {
        using var ledger = new ProcessReentrantLock();
        using var count = new SharedValue<int>(0, withLock: false);
        const int Rounds = 2000;
        var children = Enumerable.Range(0, 2).Select(_ => ChildProcess.Create(IncrementNested, (ledger, count, Rounds))).ToList();
        children.ForEach(c => c.Start());
        IncrementNested((ledger, count, Rounds));
        foreach (var child in children)
        {
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, child.ExitCode);
        }
        Assert.Equal(3 * Rounds, count.Read());
        Assert.False(ledger.IsHeld);
    }

    [Fact]
    public void Barrier_PartyKilledWhileUpdatingItsWords_TheOthersTakeTheStateOverAndGoOn()
    {
        using var ready = new ProcessBarrier(1);
        using var control = new ProcessQueue<int>();
        var child = new ChildProcess(() =>
        {
            ready.Memory.Hold(ready.Memory.Lock); // as if killed inside SignalAndWait, between two writes
            control.Put(1);
            Thread.Sleep(Timeout.Infinite);
        });
        child.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, ready.SignalAndWait(Bounded.Limit)); // takes the dead holder's word over
            Assert.Equal(0, ready.SignalAndWait(Bounded.Limit));
        }
        finally
        {
            if (child.IsAlive)
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    [Fact]
    public void NamedLock_UserKilledWhileUpdatingTheUserList_TheLastLiveUserStillRemovesTheName()
    {
        string name = $"{TempFolderCheck.Prefix}registry-{Guid.NewGuid():N}";
        using var control = new ProcessQueue<int>();
        var gate = ProcessLock.OpenOrCreate(name);
        var child = ChildProcess.Create(HoldRegistry, (name, control));
        child.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            gate.Dispose();
            Assert.False(File.Exists(TempFolderCheck.SharedMemoryFolder + "/" + name));
        }
        finally
        {
            gate.Dispose();
            if (child.IsAlive)
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    internal static void IncrementNested((ProcessReentrantLock Ledger, SharedValue<int> Count, int Rounds) work)
    {
        for (int i = 0; i < work.Rounds; i++)
        {
            using (work.Ledger.Acquire(Bounded.Limit))
            {
                int seen = work.Count.Value;
                using (work.Ledger.Acquire(Bounded.Limit))
                {
                    work.Count.Value = seen + 1;
                }
            }
        }
    }

    internal static void HoldRegistry((string Name, ProcessQueue<int> Control) work)
    {
        var gate = ProcessLock.OpenOrCreate(work.Name);
        gate.Memory.Hold(gate.Memory.Registry); // as if killed inside OpenOrCreate or Dispose, updating the user list
        work.Control.Put(1);
        Thread.Sleep(Timeout.Infinite);
    }
}
