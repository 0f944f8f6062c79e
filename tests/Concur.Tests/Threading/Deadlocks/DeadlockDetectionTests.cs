using Concur.Tests.Support;
using Concur.Threading.Internal;
using Xunit.Abstractions;

namespace Concur.Tests.Threading.Deadlocks;

public class DeadlockDetectionTests(ITestOutputHelper output)
{
    private sealed class Account(string name, int balance)
    {
        public ExclusiveLock Lock { get; } = new(name);

        public int Balance { get; set; } = balance;
    }

    /// <summary>The lesson's transfer: lock the source, then the destination, each holding the first while reaching for the second.</summary>
    private static void Transfer(Account from, Account to, int amount, Barrier bothHoldTheirFirstLock)
    {
        using (from.Lock.Acquire())
        {
            if (!bothHoldTheirFirstLock.SignalAndWait(Bounded.Limit))
            {
                throw new TimeoutException("The other transfer never took its first lock.");
            }
            using (to.Lock.Acquire())
            {
                from.Balance -= amount;
                to.Balance += amount;
            }
        }
    }

    [Fact]
    public void Acquire_TransfersInOppositeOrders_OneDeadlockExceptionAndOneTransfer_200RunsInARow()
    {
        for (var run = 0; run < 200; run++)
        {
            var a = new Account("account-A", 100);
            var b = new Account("account-B", 100);
            using var barrier = new Barrier(2);
            var threads = new TestThreads();
            threads.Start("transfer-1", () => Transfer(a, b, 10, barrier));
            threads.Start("transfer-2", () => Transfer(b, a, 20, barrier));

            var errors = threads.JoinAll();

            Assert.Single(errors, e => e is DeadlockException);
            Assert.Single(errors, e => e is null);
            Assert.Equal(200, a.Balance + b.Balance);
            if (errors[0] is null)
            {
                Assert.Equal((90, 110), (a.Balance, b.Balance));
            }
            else
            {
                Assert.Equal((120, 80), (a.Balance, b.Balance));
            }
            Assert.False(a.Lock.IsHeld);
            Assert.False(b.Lock.IsHeld);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Acquire_CycleOfThreads_ExactlyOneIsRefusedWithTheWholeCycle(int size)
    {
        var locks = Enumerable.Range(0, size).Select(i => new ExclusiveLock($"ring-{i}")).ToArray();
        using var barrier = new Barrier(size);
        var completed = 0;
        var threads = new TestThreads();
        for (var i = 0; i < size; i++)
        {
            var mine = locks[i];
            var next = locks[(i + 1) % size];
            threads.Start($"worker-{i}", () =>
            {
                using (mine.Acquire())
                {
                    Assert.True(barrier.SignalAndWait(Bounded.Limit));
                    using (next.Acquire())
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
            });
        }

        var errors = threads.JoinAll();

        var error = Assert.IsType<DeadlockException>(Assert.Single(errors, e => e is not null));
        Assert.Equal(size - 1, completed);
        var cycle = error.Report.Cycle;
        Assert.Equal(size, cycle.Count);
        for (var k = 0; k < size; k++)
        {
            var entry = cycle[k];
            var worker = int.Parse(entry.Thread.Split('"')[1]["worker-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"ring-{(worker + 1) % size}", entry.WaitsFor);
            Assert.Equal($"ring-{worker}", entry.Holds);
            Assert.Equal(cycle[(k + 1) % size].Thread, entry.HeldBy);
            Assert.Equal(cycle[(k + 1) % size].ManagedThreadId, entry.HeldByManagedThreadId);
            Assert.Equal(cycle[(k + size - 1) % size].WaitsFor, entry.Holds);
        }
        Assert.All(locks, l => Assert.False(l.IsHeld));
    }

    [Fact]
    public void DeadlockException_Report_NamesThreadsLocksAndOrderAroundTheCycle()
    {
        var a = new ExclusiveLock("account-A");
        var b = new ExclusiveLock("account-B");
        using var firstHoldsA = new ManualResetEventSlim();
        using var secondHoldsB = new ManualResetEventSlim();
        ThreadOwner? first = null;
        var threads = new TestThreads();
        var t1 = threads.Start("transfer-1", () =>
        {
            first = ThreadOwner.Current;
            using (a.Acquire())
            {
                firstHoldsA.Set();
                Assert.True(secondHoldsB.Wait(Bounded.Limit));
                using (b.Acquire())
                {
                }
            }
        });
        var t2 = threads.Start("transfer-2", () =>
        {
            Assert.True(firstHoldsA.Wait(Bounded.Limit));
            using (b.Acquire())
            {
                secondHoldsB.Set();
                TestThreads.UntilBlockedOn(first!, b);
                using (a.Acquire())
                {
                }
            }
        });

        var errors = threads.JoinAll();

        Assert.Null(errors[0]);
        var error = Assert.IsType<DeadlockException>(errors[1]);
        output.WriteLine(error.Message);
        var cycle = error.Report.Cycle;
        Assert.Equal(2, cycle.Count);
        Assert.Equal(
            ($"thread \"transfer-2\" (id {t2.ManagedThreadId})", t2.ManagedThreadId, "account-A",
             $"thread \"transfer-1\" (id {t1.ManagedThreadId})", t1.ManagedThreadId, "account-B"),
            Fields(cycle[0]));
        Assert.Equal(
            ($"thread \"transfer-1\" (id {t1.ManagedThreadId})", t1.ManagedThreadId, "account-B",
             $"thread \"transfer-2\" (id {t2.ManagedThreadId})", t2.ManagedThreadId, "account-A"),
            Fields(cycle[1]));
        Assert.StartsWith("Deadlock: a cycle of 2 threads, each waiting for a lock held by the next:", error.Message);
        Assert.Contains(
            $"thread \"transfer-2\" (id {t2.ManagedThreadId}) waits for lock 'account-A', held by thread \"transfer-1\" (id {t1.ManagedThreadId}) (it holds 'account-B')",
            error.Message);
        Assert.Contains(
            $"thread \"transfer-1\" (id {t1.ManagedThreadId}) waits for lock 'account-B', held by thread \"transfer-2\" (id {t2.ManagedThreadId}) (it holds 'account-A')",
            error.Message);
        Assert.Same(error.Report, error.Report);
        Assert.Equal(error.Message, error.Report.ToString());
    }

    [Fact]
    public void DeadlockException_UnnamedLocks_AreNamedAfterTheirCreationSite()
    {
        var a = new ExclusiveLock();
        var b = new ReentrantLock();
        using var firstHoldsA = new ManualResetEventSlim();
        using var secondHoldsB = new ManualResetEventSlim();
        ThreadOwner? first = null;
        var threads = new TestThreads();
        threads.Start("first", () =>
        {
            first = ThreadOwner.Current;
            using (a.Acquire())
            {
                firstHoldsA.Set();
                Assert.True(secondHoldsB.Wait(Bounded.Limit));
                using (b.Acquire())
                {
                }
            }
        });
        threads.Start("second", () =>
        {
            Assert.True(firstHoldsA.Wait(Bounded.Limit));
            using (b.Acquire())
            {
                secondHoldsB.Set();
                TestThreads.UntilBlockedOn(first!, b);
                using (a.Acquire())
                {
                }
            }
        });

        var error = Assert.IsType<DeadlockException>(threads.JoinAll()[1]);

        Assert.Matches(@"^ExclusiveLock#\d+ \(created at DeadlockDetectionTests\.cs:\d+ in DeadlockException_UnnamedLocks_AreNamedAfterTheirCreationSite\)$", error.Report.Cycle[0].WaitsFor);
        Assert.Matches(@"^ReentrantLock#\d+ \(created at DeadlockDetectionTests\.cs:\d+ in DeadlockException_UnnamedLocks_AreNamedAfterTheirCreationSite\)$", error.Report.Cycle[1].WaitsFor);
        Assert.Contains(a.Name, error.Message);
        Assert.Contains(b.Name, error.Message);
    }

    [Fact]
    public void Acquire_SelfDeadlockWithTimeout_ThrowsAtOnceWithOneEntry()
    {
        var gate = new ExclusiveLock("self-timed");
        using (gate.Acquire())
        {
            var error = Assert.Throws<DeadlockException>(() => gate.TryAcquire(TimeSpan.FromMinutes(1)));
            var entry = Assert.Single(error.Report.Cycle);
            Assert.Equal(Environment.CurrentManagedThreadId, entry.ManagedThreadId);
            Assert.Equal(entry.Thread, entry.HeldBy);
            Assert.Equal("self-timed", entry.WaitsFor);
            Assert.Contains("which it already holds and which is not reentrant", error.Message);
            Assert.True(gate.IsHeldByCurrentThread);
        }
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Acquire_ReentrantReacquireWhileOthersWait_AddsNoEdge()
    {
        var shared = new ReentrantLock("reentrant-shared");
        var other = new ExclusiveLock("other");
        using var ownerHolds = new ManualResetEventSlim();
        ThreadOwner? waiter = null;
        var threads = new TestThreads();
        using var waiterStarted = new ManualResetEventSlim();
        threads.Start("owner", () =>
        {
            using (shared.Acquire())
            {
                ownerHolds.Set();
                Assert.True(waiterStarted.Wait(Bounded.Limit));
                TestThreads.UntilBlockedOn(waiter!, shared);
                using (shared.Acquire())
                using (shared.Acquire())
                {
                    Assert.Equal(3, shared.RecursionCount);
                }
            }
        });
        threads.Start("waiter", () =>
        {
            waiter = ThreadOwner.Current;
            Assert.True(ownerHolds.Wait(Bounded.Limit));
            using (other.Acquire())
            {
                waiterStarted.Set();
                using (shared.Acquire())
                {
                }
            }
        });

        Assert.All(threads.JoinAll(), Assert.Null);
        Assert.False(shared.IsHeld);
    }

    [Fact]
    public void Condition_ProducersAndConsumers_NeverReportADeadlock()
    {
        var ready = new Condition(new ExclusiveLock("buffer"));
        var buffer = new Queue<int>();
        const int PerProducer = 1000;
        var consumed = 0;
        var threads = new TestThreads();
        for (var p = 0; p < 2; p++)
        {
            threads.Start($"producer-{p}", () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    using (ready.Acquire())
                    {
                        ready.WaitFor(() => buffer.Count < 4, Bounded.Limit);
                        buffer.Enqueue(i);
                        ready.NotifyAll();
                    }
                }
            });
        }
        for (var c = 0; c < 2; c++)
        {
            threads.Start($"consumer-{c}", () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    using (ready.Acquire())
                    {
                        Assert.True(ready.WaitFor(() => buffer.Count > 0, Bounded.Limit));
                        buffer.Dequeue();
                        consumed++;
                        ready.NotifyAll();
                    }
                }
            });
        }

        Assert.All(threads.JoinAll(), Assert.Null);
        Assert.Equal(2 * PerProducer, consumed);
    }

    [Fact]
    public void ConditionWait_ReacquireClosesCycle_ThrowsAndItsScopesReleaseNothing()
    {
        var other = new ExclusiveLock("other");
        var condition = new Condition(new ReentrantLock("condition-lock"));
        using var waiting = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        ThreadOwner? blocker = null;
        var threads = new TestThreads();
        threads.Start("condition-waiter", () =>
        {
            using (other.Acquire())
            using (condition.Acquire())
            using (condition.Acquire())
            {
                // Holds 'other' while waiting: the re-acquire of the condition's lock is an ordinary lock wait.
                using (condition.Acquire())
                {
                    waiting.Set();
                    condition.Wait(cts.Token);
                }
            }
        });
        threads.Start("blocker", () =>
        {
            blocker = ThreadOwner.Current;
            Assert.True(waiting.Wait(Bounded.Limit));
            using (condition.Acquire())
            using (other.Acquire())
            {
            }
        });
        Bounded.Until(() => blocker is not null, "the blocker starts");
        TestThreads.UntilBlockedOn(blocker!, other);
        cts.Cancel();

        var errors = threads.JoinAll();

        var error = Assert.IsType<DeadlockException>(errors[0]);
        Assert.Null(errors[1]);
        Assert.Equal("condition-lock", error.Report.Cycle[0].WaitsFor);
        Assert.Equal("other", error.Report.Cycle[1].WaitsFor);
        Assert.False(condition.Lock.IsHeld);
        Assert.False(other.IsHeld);
    }

    [Fact]
    public async Task AcquireAsync_CycleThroughAnAsyncAcquisition_IsNeverReported()
    {
        var a = new ExclusiveLock("sync-held");
        var b = new ExclusiveLock("async-held");
        var asyncScope = await b.AcquireAsync();
        using var threadHoldsA = new ManualResetEventSlim();
        ThreadOwner? thread = null;
        var result = false;
        var threads = new TestThreads();
        threads.Start("sync-side", () =>
        {
            thread = ThreadOwner.Current;
            using (a.Acquire())
            {
                threadHoldsA.Set();
                result = b.TryAcquire(Bounded.Limit);
                if (result)
                {
                    b.Release();
                }
            }
        });
        Assert.True(threadHoldsA.Wait(Bounded.Limit));
        TestThreads.UntilBlockedOn(thread!, b);

        // A real cycle (the async acquisition waits for 'a', the thread for 'b'), which detection does not see:
        // the async wait times out instead.
        var second = await a.TryAcquireAsync(TimeSpan.FromMilliseconds(50));
        Assert.False(second.IsAcquired);
        asyncScope.Dispose();

        Assert.Null(Assert.Single(threads.JoinAll()));
        Assert.True(result);
    }

    private static (string Thread, int Id, string WaitsFor, string HeldBy, int HeldById, string? Holds) Fields(DeadlockCycleEntry entry) =>
        (entry.Thread, entry.ManagedThreadId, entry.WaitsFor, entry.HeldBy, entry.HeldByManagedThreadId, entry.Holds);
}
