using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>A <see cref="ProcessEvent"/> within a process and across real child processes, including a waiter killed while it waits.</summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessEventTests
{
    [Fact]
    public async Task SetClearWait_WithinAProcess()
    {
        using var ready = new ProcessEvent();
        Assert.False(ready.IsSet);
        Assert.False(ready.Wait(TimeSpan.Zero));
        Assert.False(await ready.WaitAsync(TimeSpan.FromMilliseconds(20)));
        Task<bool> thread = QueueViews.OnThread(() => ready.Wait(Bounded.Limit));
        Task<bool> task = ready.WaitAsync(Bounded.Limit);
        ready.Set();
        bool[] woke = await Bounded.Within(Task.WhenAll(thread, task));
        Assert.Equal(new[] { true, true }, woke);
        Assert.True(ready.IsSet);
        Assert.Equal("ProcessEvent (set)", ready.ToString());
        ready.Clear();
        Assert.False(ready.IsSet);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ready.WaitAsync(cancel.Token));
        using var raised = new ProcessEvent(initiallySet: true);
        raised.Wait(TimeSpan.Zero);
    }

    [Fact]
    public async Task SetThenClearAtOnce_AWaiterPresentAtTheSetStillReturnsTrue()
    {
        using var ready = new ProcessEvent();
        Task<bool> waiting = QueueViews.OnThread(() => ready.Wait(Bounded.Limit));
        Bounded.Until(() => ready.Memory.Changes.Sleepers > 0, "the waiter sleeps on the event");
        ready.Set();
        ready.Clear();
        Assert.True(await Bounded.Within(waiting));
    }

    [Fact]
    public void SetInAChild_WakesThisProcess_AndTheOtherWay()
    {
        using var go = new ProcessEvent();
        using var done = new ProcessEvent();
        var child = new ChildProcess(() =>
        {
            go.Wait(Bounded.Limit);
            done.Set();
        });
        child.Start();
        try
        {
            Assert.False(done.Wait(TimeSpan.FromMilliseconds(20)));
            go.Set();
            Assert.True(done.Wait(Bounded.Limit));
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, child.ExitCode);
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public async Task AWaiterKilledWhileWaiting_TheOthersGoOn()
    {
        using var go = new ProcessEvent();
        using var started = new ProcessEvent();
        var victim = new ChildProcess(() =>
        {
            started.Set();
            go.Wait();
        });
        victim.Start();
        try
        {
            Assert.True(started.Wait(Bounded.Limit));
            Task<bool> other = go.WaitAsync(Bounded.Limit);
            victim.Kill();
            Assert.True(victim.Join(Bounded.Limit));
            go.Set();
            Assert.True(await Bounded.Within(other));
            go.Clear();
            Task<bool> again = QueueViews.OnThread(() => go.Wait(Bounded.Limit));
            go.Set();
            Assert.True(await Bounded.Within(again));
        }
        finally
        {
            End(victim);
        }
    }

    private static void End(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }
}
