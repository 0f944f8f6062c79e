using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// The behaviour every owned lock shares, run against <see cref="ExclusiveLock"/> and <see cref="ReentrantLock"/>
/// by the sealed subclasses at the end of this file (CPython's <c>lock_tests.BaseLockTests</c>, which runs against
/// <c>Lock</c> and <c>RLock</c>), each test in both call modes: the blocking members on a thread of their own, and
/// their asynchronous twins. Both twins run one core, so both must pass the same tests.
/// </summary>
public abstract class OwnedLockContractTests
{
    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(30);

    /// <summary>Creates a free lock of the kind under test.</summary>
    protected abstract OwnedLock Create(string? name = null);

    // The calls under test, in either mode. A blocking call owns the lock on its own thread, so it releases there.

    private protected static Task<bool> TryAcquireAndRelease(CallMode mode, TestThreads threads, OwnedLock gate, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(
            mode,
            threads,
            () =>
            {
                if (!gate.TryAcquire(timeout, token))
                {
                    return false;
                }
                Assert.True(gate.IsHeldByCurrentThread);
                gate.Release();
                return true;
            },
            async () =>
            {
                using var scope = await gate.TryAcquireAsync(timeout, token);
                return scope.IsAcquired;
            });

    private static Task AcquireAndRelease(CallMode mode, TestThreads threads, OwnedLock gate, Action? inside = null, CancellationToken token = default) =>
        Twin.Start(
            mode,
            threads,
            () =>
            {
                using (gate.Acquire(token))
                {
                    inside?.Invoke();
                }
            },
            async () =>
            {
                using (await gate.AcquireAsync(token))
                {
                    inside?.Invoke();
                }
            });

    private static Task AcquireWithTimeoutAndRelease(CallMode mode, TestThreads threads, OwnedLock gate, TimeSpan timeout) =>
        Twin.Start(
            mode,
            threads,
            () =>
            {
                using (gate.Acquire(timeout))
                {
                }
            },
            async () =>
            {
                using (await gate.AcquireAsync(timeout))
                {
                }
            });

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_FreeLock_HoldsItUntilTheScopeIsDisposed(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();
        var heldInside = false;

        await Bounded.Within(AcquireAndRelease(mode, threads, gate, () => heldInside = gate.IsHeld));

        Assert.True(heldInside);
        Assert.False(gate.IsHeld);
    }

    /// <summary>Issue 7, point 8: a second dispose of the same scope does nothing, for locks as for semaphores.</summary>
    [Fact]
    public void Scope_DisposedTwice_ReleasesOnce()
    {
        var gate = Create();
        var scope = gate.Acquire();
        Assert.True(scope.IsAcquired);
        scope.Dispose();
        Assert.False(scope.IsAcquired);
        Assert.False(gate.IsHeld);
        scope.Dispose();
        Assert.False(gate.IsHeld);
        using (gate.Acquire())
        {
            Assert.True(gate.IsHeldByCurrentThread);
        }
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_ZeroTimeoutHeldElsewhere_ReturnsFalseAtOnce(CallMode mode)
    {
        var gate = Create();
        using var holder = TestThreads.HoldLock(gate);
        using var threads = new TestThreads();

        Assert.False(await Bounded.Within(TryAcquireAndRelease(mode, threads, gate, TimeSpan.Zero)));
        Assert.Equal(0, gate.WaiterCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_TimeoutHeldElsewhere_ReturnsFalseAndLeavesNoWaiter(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();
        using (TestThreads.HoldLock(gate))
        {
            Assert.False(await Bounded.Within(TryAcquireAndRelease(mode, threads, gate, s_short)));
            Assert.Equal(0, gate.WaiterCount);
        }

        Assert.True(await Bounded.Within(TryAcquireAndRelease(mode, threads, gate, TimeSpan.Zero)));
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_Contended_CompletesOnlyOnceReleased(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();
        var holder = TestThreads.HoldLock(gate);

        var waiting = AcquireAndRelease(mode, threads, gate);
        Bounded.Until(() => gate.WaiterCount == 1, "the acquirer waits");
        Assert.False(waiting.IsCompleted);

        holder.Dispose();
        await Bounded.Within(waiting);
        Assert.False(gate.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_CancelledWhileWaiting_ThrowsAndLeavesNoWaiter(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();
        using var cts = new CancellationTokenSource();
        using (TestThreads.HoldLock(gate))
        {
            var waiting = AcquireAndRelease(mode, threads, gate, token: cts.Token);
            Bounded.Until(() => gate.WaiterCount == 1, "the acquirer waits");

            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
            Assert.Equal(0, gate.WaiterCount);
        }
        Assert.False(gate.IsHeld);
        Assert.True(gate.TryAcquire());
        gate.Release();
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_PreCancelledToken_ThrowsEvenWhenFree(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Bounded.Within(AcquireAndRelease(mode, threads, gate, token: new CancellationToken(canceled: true))));
        Assert.False(gate.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_NegativeOrTooLongTimeout_ThrowsArgumentOutOfRange(CallMode mode)
    {
        var gate = Create();
        using var threads = new TestThreads();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Bounded.Within(TryAcquireAndRelease(mode, threads, gate, TimeSpan.FromMilliseconds(-2))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Bounded.Within(TryAcquireAndRelease(mode, threads, gate, TimeSpan.FromDays(30))));
        Assert.False(gate.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task AcquireWithTimeout_Contended_ThrowsTimeoutNamingTheLock(CallMode mode)
    {
        var gate = Create("contract-timeout");
        using var threads = new TestThreads();
        using var holder = TestThreads.HoldLock(gate);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(AcquireWithTimeoutAndRelease(mode, threads, gate, s_short)));

        Assert.Contains("contract-timeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, gate.WaiterCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_TimedOutWaiterAhead_TheNextWaiterStillGetsTheLock(CallMode mode)
    {
        // A waiter that gives up must not take the release's wake-up with it (CPython's test_timeout plus a second waiter).
        var gate = Create();
        using var threads = new TestThreads();
        var holder = TestThreads.HoldLock(gate);
        var impatient = TryAcquireAndRelease(mode, threads, gate, s_short);
        var patient = AcquireAndRelease(mode, threads, gate);

        Assert.False(await Bounded.Within(impatient));
        Bounded.Until(() => gate.WaiterCount == 1, "the patient acquirer waits");
        holder.Dispose();

        await Bounded.Within(patient);
        Assert.False(gate.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Acquire_ManyContenders_ProtectTheCriticalSection(CallMode mode)
    {
        const int Contenders = 4;
        const int Rounds = 200;
        var gate = Create();
        using var threads = new TestThreads();
        var counter = 0;

        var all = Enumerable.Range(0, Contenders).Select(_ => Twin.Start(
            mode,
            threads,
            () =>
            {
                for (var i = 0; i < Rounds; i++)
                {
                    using (gate.Acquire())
                    {
                        var seen = counter;
                        Thread.Yield();
                        counter = seen + 1;
                    }
                }
            },
            async () =>
            {
                for (var i = 0; i < Rounds; i++)
                {
                    using (await gate.AcquireAsync())
                    {
                        var seen = counter;
                        await Task.Yield();
                        counter = seen + 1;
                    }
                }
            })).ToArray();

        await Bounded.Within(Task.WhenAll(all));
        Assert.Equal(Contenders * Rounds, counter);
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Release_NotHeld_ThrowsNamingTheLockAndTheFix()
    {
        var gate = Create("contract-release");

        var error = Assert.Throws<SynchronizationLockException>(gate.Release);

        Assert.Contains("contract-release", error.Message, StringComparison.Ordinal);
        Assert.Contains("BoundedSemaphore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_ByAnotherThread_ThrowsAndKeepsTheOwner()
    {
        var gate = Create();
        using var holder = TestThreads.HoldLock(gate);

        Assert.Throws<SynchronizationLockException>(gate.Release);
        Assert.True(gate.IsHeld);
        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void ToString_FreeThenHeld_SaysWhetherHeldAndByWhom()
    {
        var gate = Create("contract-repr");
        Assert.Equal($"{gate.GetType().Name} 'contract-repr' (free)", gate.ToString());

        using (gate.Acquire())
        {
            var text = gate.ToString();
            Assert.StartsWith($"{gate.GetType().Name} 'contract-repr' (held by thread ", text, StringComparison.Ordinal);
            Assert.Contains($"id {Environment.CurrentManagedThreadId}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToString_WithAWaiter_CountsIt()
    {
        var gate = Create("contract-repr-waiting");
        using var threads = new TestThreads();
        using (gate.Acquire())
        {
            threads.Start("repr-waiter", () => gate.Acquire().Dispose());
            Bounded.Until(() => gate.WaiterCount == 1, "the other thread waits");

            Assert.EndsWith(", 1 waiting)", gate.ToString(), StringComparison.Ordinal);
        }
        threads.Join();
    }
}

/// <summary>The owned-lock contract for <see cref="ExclusiveLock"/> (Python's <c>Lock</c>).</summary>
public sealed class ExclusiveLockContractTests : OwnedLockContractTests
{
    /// <inheritdoc/>
    protected override OwnedLock Create(string? name = null) => new ExclusiveLock(name);
}

/// <summary>The owned-lock contract for <see cref="ReentrantLock"/> (Python's <c>RLock</c>), plus what re-entry adds.</summary>
public sealed class ReentrantLockContractTests : OwnedLockContractTests
{
    /// <inheritdoc/>
    protected override OwnedLock Create(string? name = null) => new ReentrantLock(name);

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_HeldTwiceElsewhere_TimesOutUntilReleasedTwice(CallMode mode)
    {
        var gate = new ReentrantLock("contract-reentrant");
        using var threads = new TestThreads();
        using var releasedOnce = new ManualResetEventSlim();
        using var checkedOnce = new ManualResetEventSlim();
        using var owner = TestThreads.StartOne(() =>
        {
            gate.Acquire();
            gate.Acquire();
            gate.Release();
            releasedOnce.Set();
            Assert.True(checkedOnce.Wait(Bounded.Limit));
            gate.Release();
        });
        Assert.True(releasedOnce.Wait(Bounded.Limit));

        Assert.False(await Bounded.Within(TryAcquireAndRelease(mode, threads, gate, TimeSpan.FromMilliseconds(30))));
        checkedOnce.Set();
        owner.Join();

        Assert.True(await Bounded.Within(TryAcquireAndRelease(mode, threads, gate, Bounded.Limit)));
    }

    [Fact]
    public void ToString_HeldTwice_ShowsTheCount()
    {
        var gate = new ReentrantLock("contract-repr-count");
        using (gate.Acquire())
        using (gate.Acquire())
        {
            Assert.Contains(", 2 times)", gate.ToString(), StringComparison.Ordinal);
        }
        Assert.EndsWith("(free)", gate.ToString(), StringComparison.Ordinal);
    }
}
