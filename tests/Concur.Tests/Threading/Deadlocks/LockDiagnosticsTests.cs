using Concur.Tests.Support;
using Concur.Threading.Internal;
using Xunit.Abstractions;

namespace Concur.Tests.Threading.Deadlocks;

public class LockDiagnosticsTests(ITestOutputHelper output)
{
    [Fact]
    public void Snapshot_HeldLockWithWaiters_ShowsHolderAndWaitersInOrder()
    {
        var gate = new ReentrantLock("diagnosed");
        using var held = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        ThreadOwner? first = null;
        ThreadOwner? second = null;
        var threads = new TestThreads();
        var holder = threads.Start("holder", () =>
        {
            using (gate.Acquire())
            using (gate.Acquire())
            {
                held.Set();
                Assert.True(done.Wait(Bounded.Limit));
            }
        });
        Assert.True(held.Wait(Bounded.Limit));
        var waiter1 = threads.Start("waiter-1", () =>
        {
            first = ThreadOwner.Current;
            gate.Acquire().Dispose();
        });
        Bounded.Until(() => first is not null, "waiter-1 starts");
        TestThreads.UntilBlockedOn(first!, gate);
        var waiter2 = threads.Start("waiter-2", () =>
        {
            second = ThreadOwner.Current;
            gate.Acquire().Dispose();
        });
        Bounded.Until(() => second is not null, "waiter-2 starts");
        TestThreads.UntilBlockedOn(second!, gate);

        var state = Assert.Single(LockDiagnostics.Snapshot(), s => s.Name == "diagnosed");
        var text = LockDiagnostics.Describe();
        done.Set();
        output.WriteLine(text);
        Assert.All(threads.JoinAll(), Assert.Null);

        Assert.Equal("ReentrantLock", state.Kind);
        Assert.Equal($"thread \"holder\" (id {holder.ManagedThreadId})", state.Holder);
        Assert.Equal(holder.ManagedThreadId, state.HolderThreadId);
        Assert.Equal(2, state.RecursionCount);
        Assert.Equal(
            [waiter1.ManagedThreadId, waiter2.ManagedThreadId],
            state.Waiters.Select(w => w.ManagedThreadId!.Value));
        Assert.Equal($"thread \"waiter-1\" (id {waiter1.ManagedThreadId})", state.Waiters[0].Waiter);
        Assert.True(state.Waiters[0].WaitingFor >= TimeSpan.Zero);
        Assert.Contains($"ReentrantLock 'diagnosed': held by thread \"holder\" (id {holder.ManagedThreadId}) (2 times)", text);
        Assert.Contains($"    waiting: thread \"waiter-1\" (id {waiter1.ManagedThreadId}) for ", text);
        Assert.Contains($"    waiting: thread \"waiter-2\" (id {waiter2.ManagedThreadId}) for ", text);
    }

    [Fact]
    public async Task Snapshot_FreeAndAsyncHeldLocks_AreShownOnlyWhenAsked()
    {
        var free = new ExclusiveLock("diagnosed-free");
        var asyncHeld = new ExclusiveLock("diagnosed-async");
        using (await asyncHeld.AcquireAsync())
        {
            Assert.DoesNotContain(LockDiagnostics.Snapshot(), s => s.Name == "diagnosed-free");
            var freeState = Assert.Single(LockDiagnostics.Snapshot(includeFree: true), s => s.Name == "diagnosed-free");
            Assert.Null(freeState.Holder);
            Assert.Equal(0, freeState.RecursionCount);
            Assert.Empty(freeState.Waiters);
            Assert.Contains("ExclusiveLock 'diagnosed-free': free", LockDiagnostics.Describe(includeFree: true));

            var asyncState = Assert.Single(LockDiagnostics.Snapshot(), s => s.Name == "diagnosed-async");
            Assert.StartsWith("async acquisition #", asyncState.Holder);
            Assert.Null(asyncState.HolderThreadId);
        }
        GC.KeepAlive(free);
    }
}
