using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// Kill-at-point tests of <see cref="ProcessCondition"/>: a waiter SIGKILLed while it waits does not swallow a notify,
/// and a holder SIGKILLed mid-update leaves the lock to the waiter it notified, which is told the owner died.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessConditionKillTests
{
    [Fact]
    public async Task WaiterKilledWhileWaiting_NotifyOneWakesTheLiveWaiter_NotTheDeadOne()
    {
        using var ready = new ProcessCondition();
        // The child waits first, so it has the older ticket: a notify that counted it would wake no one here.
        var child = new ChildProcess(() =>
        {
            using (ready.Acquire(Bounded.Limit))
            {
                ready.Wait(Bounded.Limit);
            }
        });
        child.Start();
        try
        {
            Bounded.Until(() => ready.WaitingCount == 1, "the child waits");
            var here = QueueViews.OnThread(() =>
            {
                using (ready.Acquire(Bounded.Limit))
                {
                    return ready.Wait(Bounded.Limit);
                }
            });
            Bounded.Until(() => ready.WaitingCount == 2, "this process waits too");
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            using (ready.Acquire(Bounded.Limit))
            {
                Assert.Equal(1, ready.Notify());
            }
            Assert.True(await Bounded.Within(here));
            Assert.Equal(0, ready.WaitingCount); // the dead waiter's slot was freed by the notify
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public async Task HolderKilledMidUpdate_AfterNotifying_TheWaiterReturnsWithTheLock_ToldTheOwnerDied()
    {
        using var ready = new ProcessCondition(new ProcessLock());
        using var control = new ProcessQueue<int>();
        try
        {
            var here = QueueViews.OnThread(() =>
            {
                using (ready.Acquire(Bounded.Limit))
                {
                    bool notified = ready.Wait(Bounded.Limit);
                    return (notified, ready.Lock.PreviousOwnerDied);
                }
            });
            Bounded.Until(() => ready.WaitingCount == 1, "this process waits");
            var child = new ChildProcess(() =>
            {
                ready.Acquire(Bounded.Limit); // never released: killed mid-update
                ready.Notify();
                control.Put(1);
                Thread.Sleep(Timeout.Infinite);
            });
            child.Start();
            try
            {
                Assert.Equal(1, control.Get(Bounded.Limit));
                child.Kill();
                var (notified, died) = await Bounded.Within(here);
                Assert.True(notified);
                Assert.True(died);
                Assert.False(ready.Lock.IsHeld);
            }
            finally
            {
                End(child);
            }
        }
        finally
        {
            ready.Lock.Dispose();
        }
    }

    [Fact]
    public void Stress_ManyNotifiesAcrossTwoProcesses_WhileOneWaiterProcessIsKilled_NoLiveWaiterIsLeft()
    {
        using var ready = new ProcessCondition();
        using var count = new SharedValue<int>(withLock: false);
        var victim = new ChildProcess(() =>
        {
            using (ready.Acquire(Bounded.Limit))
            {
                ready.Wait(Bounded.Limit);
            }
        });
        victim.Start();
        try
        {
            Bounded.Until(() => ready.WaitingCount == 1, "the victim waits");
            var consumer = ChildProcess.Create(Consume, (ready, count, 200));
            consumer.Start();
            victim.Kill();
            Assert.True(victim.Join(Bounded.Limit));
            for (int i = 0; i < 200; i++)
            {
                using (ready.Acquire(Bounded.Limit))
                {
                    Assert.True(ready.WaitFor(() => count.Read() == 0, Bounded.Limit));
                    count.Write(1);
                    ready.Notify(); // one at a time: a notify lost to the dead victim would stall the consumer
                }
            }
            Assert.True(consumer.Join(Bounded.Limit));
            Assert.Equal(0, consumer.ExitCode);
        }
        finally
        {
            End(victim);
        }
    }

    /// <summary>Takes <c>rounds</c> items one by one, each handed over by a notify of one.</summary>
    internal static void Consume((ProcessCondition Ready, SharedValue<int> Count, int Rounds) work)
    {
        for (int i = 0; i < work.Rounds; i++)
        {
            using (work.Ready.Acquire(Bounded.Limit))
            {
                while (work.Count.Read() == 0)
                {
                    if (!work.Ready.Wait(Bounded.Limit))
                    {
                        throw new TimeoutException($"item {i} never came");
                    }
                }
                work.Count.Write(0);
                work.Ready.Notify();
            }
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
