using System.Diagnostics;
using Concur.Tests.Support;
using Concur.Threading.Internal;

namespace Concur.Tests.Threading.Deadlocks;

/// <summary>Tests that change the process-wide <see cref="DeadlockDetection"/> settings run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeadlockSettingsCollection
{
    public const string Name = "Process-wide deadlock detection settings";
}

[Collection(DeadlockSettingsCollection.Name)]
public class DeadlockSettingsTests
{
    [Fact]
    public void TryAcquire_TimedWaitClosesCycle_ThrowPolicy_ThrowsInsteadOfWaiting()
    {
        Assert.Equal(TimedDeadlockPolicy.Throw, DeadlockDetection.TimedWaits);
        var a = new ExclusiveLock("timed-a");
        var b = new ExclusiveLock("timed-b");
        using var bHeld = new ManualResetEventSlim();
        ThreadOwner? first = null;
        var threads = new TestThreads();
        using var aHeld = new ManualResetEventSlim();
        threads.Start("first", () =>
        {
            first = ThreadOwner.Current;
            using (a.Acquire())
            {
                aHeld.Set();
                Assert.True(bHeld.Wait(Bounded.Limit));
                using (b.Acquire())
                {
                }
            }
        });
        Assert.True(aHeld.Wait(Bounded.Limit));

        DeadlockException error;
        using (b.Acquire())
        {
            bHeld.Set();
            TestThreads.UntilBlockedOn(first!, b);
            // A minute-long timeout: had it been waited out, the bounded join below would fail first.
            error = Assert.Throws<DeadlockException>(() => a.TryAcquire(TimeSpan.FromMinutes(1)));
        }

        Assert.Null(Assert.Single(threads.JoinAll()));
        Assert.Equal("timed-a", error.Report.Cycle[0].WaitsFor);
    }

    [Fact]
    public void TryAcquire_TimedWaitClosesCycle_WaitOutTimeoutPolicy_ReturnsFalseAfterTheTimeout()
    {
        DeadlockDetection.TimedWaits = TimedDeadlockPolicy.WaitOutTimeout;
        try
        {
            var a = new ExclusiveLock("wait-out-a");
            var b = new ExclusiveLock("wait-out-b");
            using var bHeld = new ManualResetEventSlim();
            ThreadOwner? first = null;
            var threads = new TestThreads();
            using var aHeld = new ManualResetEventSlim();
            threads.Start("first", () =>
            {
                first = ThreadOwner.Current;
                using (a.Acquire())
                {
                    aHeld.Set();
                    Assert.True(bHeld.Wait(Bounded.Limit));
                    using (b.Acquire())
                    {
                    }
                }
            });
            Assert.True(aHeld.Wait(Bounded.Limit));

            bool acquired;
            var watch = Stopwatch.StartNew();
            using (b.Acquire())
            {
                bHeld.Set();
                TestThreads.UntilBlockedOn(first!, b);
                watch.Restart();
                acquired = a.TryAcquire(TimeSpan.FromMilliseconds(200));
                watch.Stop();
            }

            Assert.False(acquired);
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(150), $"returned after {watch.Elapsed}");
            Assert.Null(Assert.Single(threads.JoinAll()));
        }
        finally
        {
            DeadlockDetection.TimedWaits = TimedDeadlockPolicy.Throw;
        }
    }

    [Fact]
    public void Acquire_CycleThroughATimedWait_WaitOutTimeoutPolicy_IsNotReportedAndResolves()
    {
        DeadlockDetection.TimedWaits = TimedDeadlockPolicy.WaitOutTimeout;
        try
        {
            var a = new ExclusiveLock("through-timed-a");
            var b = new ExclusiveLock("through-timed-b");
            using var bHeld = new ManualResetEventSlim();
            using var aHeld = new ManualResetEventSlim();
            ThreadOwner? timed = null;
            var timedResult = true;
            var threads = new TestThreads();
            threads.Start("timed", () =>
            {
                timed = ThreadOwner.Current;
                using (b.Acquire())
                {
                    bHeld.Set();
                    Assert.True(aHeld.Wait(Bounded.Limit));
                    timedResult = a.TryAcquire(TimeSpan.FromMilliseconds(1500));
                    if (timedResult)
                    {
                        a.Release();
                    }
                }
            });
            threads.Start("untimed", () =>
            {
                Assert.True(bHeld.Wait(Bounded.Limit));
                using (a.Acquire())
                {
                    aHeld.Set();
                    TestThreads.UntilBlockedOn(timed!, a);
                    // Closes the cycle, but the other wait ends by itself: no report, just a wait.
                    using (b.Acquire())
                    {
                    }
                }
            });

            Assert.All(threads.JoinAll(), Assert.Null);
            Assert.False(timedResult);
        }
        finally
        {
            DeadlockDetection.TimedWaits = TimedDeadlockPolicy.Throw;
        }
    }

    [Fact]
    public void TryAcquire_SelfDeadlock_WaitOutTimeoutPolicy_ReturnsFalse()
    {
        DeadlockDetection.TimedWaits = TimedDeadlockPolicy.WaitOutTimeout;
        try
        {
            var gate = new ExclusiveLock("self-wait-out");
            using (gate.Acquire())
            {
                Assert.False(gate.TryAcquire(TimeSpan.FromMilliseconds(20)));
                Assert.True(gate.IsHeldByCurrentThread);
                Assert.Throws<DeadlockException>(() => gate.Acquire());
            }
        }
        finally
        {
            DeadlockDetection.TimedWaits = TimedDeadlockPolicy.Throw;
        }
    }

    [Fact]
    public void TryAcquire_DetectionDisabled_SelfDeadlockWaitsOutTheTimeout()
    {
        DeadlockDetection.Enabled = false;
        try
        {
            var gate = new ExclusiveLock("self-disabled");
            using (gate.Acquire())
            {
                Assert.False(gate.TryAcquire(TimeSpan.FromMilliseconds(20)));
            }
        }
        finally
        {
            DeadlockDetection.Enabled = true;
        }
    }

    [Fact]
    public void TimedWaits_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlockDetection.TimedWaits = (TimedDeadlockPolicy)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlockDetection.LockOrderChecking = (LockOrderPolicy)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExclusiveLock().LockOrderChecking = (LockOrderPolicy)7);
    }

    [Fact]
    public void LockOrderChecking_GlobalWarn_ReportsToCallbackAndLogger()
    {
        var violations = new List<LockOrderViolation>();
        var logger = new ListLogger();
        DeadlockDetection.LockOrderWarning = violations.Add;
        DeadlockDetection.Logger = logger;
        DeadlockDetection.LockOrderChecking = LockOrderPolicy.Warn;
        try
        {
            var a = new ExclusiveLock("global-a");
            var b = new ExclusiveLock("global-b");
            var threads = new TestThreads();
            threads.Start("a-then-b", () =>
            {
                using (a.Acquire())
                using (b.Acquire())
                {
                }
            });
            Assert.Null(Assert.Single(threads.JoinAll()));
            threads = new TestThreads();
            threads.Start("b-then-a", () =>
            {
                using (b.Acquire())
                using (a.Acquire())
                {
                    Assert.True(a.IsHeldByCurrentThread);
                }
            });
            Assert.Null(Assert.Single(threads.JoinAll()));

            // The same inversion again is not reported again.
            using (b.Acquire())
            using (a.Acquire())
            {
            }

            var violation = Assert.Single(violations);
            Assert.Equal(("global-b", "global-a"), (violation.HeldLock, violation.AcquiredLock));
            var entry = Assert.Single(logger.Entries);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, entry.Level);
            Assert.Equal("LockOrderInversion", entry.Event.Name);
            Assert.Equal(violation.ToString(), entry.Message);

            // Forgotten orders are learned anew: b -> a is now the established order.
            DeadlockDetection.ResetLockOrder();
            using (b.Acquire())
            using (a.Acquire())
            {
            }
            Assert.Single(violations);
        }
        finally
        {
            DeadlockDetection.LockOrderChecking = LockOrderPolicy.Off;
            DeadlockDetection.LockOrderWarning = null;
            DeadlockDetection.Logger = null;
        }
    }

    [Fact]
    public void TrackHoldTimes_On_DiagnosticsShowHowLongALockIsHeld()
    {
        DeadlockDetection.TrackHoldTimes = true;
        try
        {
            var gate = new ExclusiveLock("timed-hold");
            using (gate.Acquire())
            {
                var state = Assert.Single(LockDiagnostics.Snapshot(), s => s.Name == "timed-hold");
                Assert.NotNull(state.HeldFor);
                Assert.Matches(@"ExclusiveLock 'timed-hold': held by .* for [\d.]+ ms", LockDiagnostics.Describe());
            }
        }
        finally
        {
            DeadlockDetection.TrackHoldTimes = false;
        }
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, Microsoft.Extensions.Logging.EventId Event, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(
            Microsoft.Extensions.Logging.LogLevel logLevel,
            Microsoft.Extensions.Logging.EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
