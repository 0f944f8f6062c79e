using System.Diagnostics;
using Concur.Tests.Support;
using Xunit.Abstractions;
using static Concur.Tests.Ipc.Sharing.SharedMemoryTests;

namespace Concur.Tests.Ipc.Sharing;

/// <summary>
/// Issue 10, point 1: <see cref="SharedValue{T}"/> and <see cref="SharedArray{T}"/> across processes, their lock, and
/// the lock's holder SIGKILLed (kill-at-point): the next user gets it within a bounded time and is told.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class SharedValueTests(ITestOutputHelper output) : SharedLeaks
{
    private const int Rounds = 2_000;

    [Fact]
    public void Value_ReadWriteUpdateIncrement_InOneProcess()
    {
        using var value = new SharedValue<int>(5);
        Assert.True(value.HasLock);
        Assert.Equal(5, value.Read());
        value.Write(7);
        Assert.Equal(14, value.Update(v => v * 2));
        Assert.Equal(15, value.Increment());
        Assert.Equal(10, value.Increment(-5));
        using (SharedLockScope scope = value.Acquire())
        {
            Assert.False(scope.PreviousOwnerDied);
            value.Value++; // Python's `with v.get_lock(): v.value += 1`
            Assert.Equal(11, value.Read()); // the helpers do not take the lock again on the thread that holds it
            Assert.Throws<LockRecursionException>(() => value.Acquire());
            Assert.False(OnThread(() => value.TryAcquire(TimeSpan.FromMilliseconds(20), out _)));
        }
        Assert.True(value.TryAcquire(TimeSpan.Zero, out SharedLockScope again));
        again.Dispose();
        Assert.Throws<SynchronizationLockException>(() => again.Dispose());
        Assert.Equal("SharedValue<Int32>(11)", value.ToString());
    }

    [Fact]
    public void RawValue_HasNoLock_IncrementIsStillAtomic()
    {
        using var value = new SharedValue<long>(withLock: false);
        Assert.False(value.HasLock);
        Assert.Throws<InvalidOperationException>(() => value.Acquire());
        Parallel.For(0, 1000, _ => value.Increment());
        Assert.Equal(1000, value.Read());
    }

    [Fact]
    public void Value_TwoChildrenIncrementUnderTheLock_NoUpdateIsLost()
    {
        using var counter = new SharedValue<int>();
        using var sum = new SharedValue<double>();
        var children = Enumerable.Range(0, 2).Select(_ => new ChildProcess(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                counter.Increment();
                sum.Update(s => s + 0.5);
            }
        })).ToList();
        children.ForEach(c => c.Start());
        try
        {
            for (int i = 0; i < Rounds; i++)
            {
                using (counter.Acquire())
                {
                    counter.Value++;
                }
            }
            foreach (var child in children)
            {
                Assert.True(child.Join(Bounded.Limit));
                Assert.Equal(0, child.ExitCode);
            }
        }
        finally
        {
            children.ForEach(End);
        }
        Assert.Equal(3 * Rounds, counter.Read());
        Assert.Equal(Rounds, sum.Read());
    }

    [Fact]
    public async Task ValueAndArray_GivenToPoolTasks_AreTheSameMemory()
    {
        using var counter = new SharedValue<long>();
        using var array = new SharedArray<int>(8);
        await using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
        {
            await Bounded.Within(Task.WhenAll(Enumerable.Range(0, 8).Select(i => pool.Submit(() =>
            {
                counter.Increment(10);
                array.Write(i, i * i);
                return i;
            }))));
            await Bounded.Within(pool.Submit(AddOne, counter));
        }
        Assert.Equal(81, counter.Read());
        Assert.Equal([0, 1, 4, 9, 16, 25, 36, 49], array.ToArray());
    }

    [Fact]
    public void Array_ArgumentAndField_AreTheSameMemoryInTheChild()
    {
        using var array = new SharedArray<double>([1.5, 2.5, 3.5]);
        Assert.Equal(3, array.Length);
        RunChild(ChildProcess.Create(Double, array));
        RunChild(new ArrayWriter(array));
        Assert.Equal([2.0, 4.0, 6.0], array.ToArray());
        Assert.Equal(2.0, array[0]);
        array.CopyFrom([9.0, 8.0]);
        Assert.Equal([9.0, 8.0, 6.0], array.Span.ToArray());
        Assert.Throws<ArgumentException>(() => array.CopyFrom([1.0, 2.0, 3.0, 4.0]));
        using (SharedLockScope scope = array.Acquire(Bounded.Limit))
        {
            Assert.False(scope.PreviousOwnerDied);
            Assert.Equal([9.0, 8.0, 6.0], array.ToArray()); // the helpers do not take the lock again on its holder
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Read(3));
    }

    [Fact]
    public void Value_OfAnotherType_IsRefusedWhenItArrives()
    {
        var (carrier, carried) = Connection.CreatePipe();
        using (carrier)
        using (carried)
        using (var value = new SharedValue<int>(3))
        {
            var child = new ChildProcess(() =>
            {
                try
                {
                    using var wrong = carried.Receive<SharedValue<long>>();
                    carried.Send("received");
                }
                catch (Exception e)
                {
                    carried.Send(e.GetType().Name);
                }
            });
            child.Start();
            try
            {
                carrier.Send<SharedValue<int>>(value);
                Assert.True(carrier.Poll(Bounded.Limit));
                Assert.Contains("InvalidData", carrier.Receive<string>(), StringComparison.Ordinal);
                Assert.True(child.Join(Bounded.Limit));
            }
            finally
            {
                End(child);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LockHolder_Killed_TheNextUserGetsTheLockSoon_AndIsToldItsOwnerDied(bool midUpdate)
    {
        using var value = new SharedValue<int>(100);
        using var toParent = new ProcessQueue<int>();
        using var never = new ProcessQueue<int>();
        var holder = new LockHolder(value, toParent, never, midUpdate);
        holder.Start();
        try
        {
            Assert.Equal(1, toParent.Get(Bounded.Limit));
            Assert.Equal(holder.Pid, value.Block.LockOwner);
            Assert.False(value.TryAcquire(TimeSpan.FromMilliseconds(30), out _)); // a live holder keeps it
            Task<(bool Died, int Seen)> waiting = Task.Run(() =>
            {
                using SharedLockScope scope = value.Acquire(Bounded.Limit);
                return (scope.PreviousOwnerDied, value.Value);
            });
            holder.Kill();
            var watch = Stopwatch.StartNew();
            (bool died, int seen) = await Bounded.Within(waiting);
            TimeSpan afterKill = watch.Elapsed;
            output.WriteLine($"midUpdate: {midUpdate}: the waiter had the lock {afterKill.TotalMilliseconds:F1} ms after the SIGKILL");
            Assert.True(died);
            Assert.Equal(midUpdate ? 100 : -1, seen);
            Assert.True(afterKill < TimeSpan.FromSeconds(2), $"took {afterKill}");
            Assert.True(holder.Join(Bounded.Limit));
            Assert.Equal(seen + 1, value.Increment()); // and the lock works as before
        }
        finally
        {
            End(holder);
        }
    }

    [Fact]
    public void Waiter_KilledWhileWaiting_BlocksNoOne()
    {
        using var value = new SharedValue<int>();
        var waiter = new ChildProcess(() => value.Increment(1000));
        try
        {
            using (value.Acquire())
            {
                waiter.Start();
                Bounded.Until(() => value.Block.LockWaiters == 1, "the child waits for the lock");
                waiter.Kill();
                Assert.True(waiter.Join(Bounded.Limit));
            }
            Assert.Equal(0, value.Block.LockOwner);
            Assert.Equal(1, OnThread(() => value.Increment())); // the killed waiter took nothing
            Assert.True(value.TryAcquire(TimeSpan.Zero, out SharedLockScope scope));
            Assert.False(scope.PreviousOwnerDied);
            scope.Dispose();
        }
        finally
        {
            End(waiter);
        }
    }

    [Fact]
    public void UncontendedLock_AcquireAndRelease_Measured()
    {
        using var value = new SharedValue<int>();
        const int N = 1_000_000;
        for (int i = 0; i < 10_000; i++)
        {
            value.Increment();
        }
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < N; i++)
        {
            using (value.Acquire())
            {
                value.Value++;
            }
        }
        double scope = watch.Elapsed.TotalNanoseconds / N;
        watch.Restart();
        for (int i = 0; i < N; i++)
        {
            value.Increment();
        }
        double increment = watch.Elapsed.TotalNanoseconds / N;
        output.WriteLine($"uncontended: Acquire + Value++ + Dispose {scope:F0} ns, Increment {increment:F0} ns (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Assert.Equal(10_000 + 2 * N, value.Read());
    }

    [Fact]
    public void LockWait_IsCancellable_AndBounded()
    {
        using var value = new SharedValue<int>();
        using SharedLockScope held = value.Acquire();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.IsAssignableFrom<OperationCanceledException>(OnThread(() => Catch(() => value.Acquire(cancel.Token))));
        Assert.IsType<TimeoutException>(OnThread(() => Catch(() => value.Acquire(TimeSpan.FromMilliseconds(20)))));
    }

    /// <summary>Runs <paramref name="call"/> on a thread of its own (the lock belongs to a thread) and returns its result, bounded.</summary>
    private static T OnThread<T>(Func<T> call)
    {
        T result = default!;
        var thread = new Thread(() => result = call());
        thread.Start();
        Bounded.Join(thread);
        return result;
    }

    private static Exception? Catch(Action call)
    {
        try
        {
            call();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    internal static long AddOne(SharedValue<long> counter) => counter.Increment();

    internal static void Double(SharedArray<double> array)
    {
        using (array.Acquire())
        {
            foreach (ref double d in array.Span)
            {
                d *= 2;
            }
        }
    }

    /// <summary>Takes the value's lock (in an update, or in a scope after a half-done write), says so, and holds it until killed.</summary>
    private sealed class LockHolder(SharedValue<int> value, ProcessQueue<int> toParent, ProcessQueue<int> never, bool midUpdate) : ChildProcess
    {
        private readonly SharedValue<int> _value = value;
        private readonly ProcessQueue<int> _toParent = toParent;
        private readonly ProcessQueue<int> _never = never;
        private readonly bool _midUpdate = midUpdate;

        protected override void Run()
        {
            if (_midUpdate)
            {
                _value.Update(v =>
                {
                    _toParent.Put(1);
                    _never.Get(); // inside the update, holding the lock, until the test kills it
                    return v + 1;
                });
            }
            else
            {
                using (_value.Acquire())
                {
                    _value.Value = -1; // half done
                    _toParent.Put(1);
                    _never.Get(); // holding the lock until the test kills it
                }
            }
        }
    }

    private sealed class ArrayWriter(SharedArray<double> array) : ChildProcess
    {
        private readonly SharedArray<double> _array = array;

        protected override void Run()
        {
            for (int i = 0; i < _array.Length; i++)
            {
                _array.Write(i, _array.Read(i) - 1);
            }
        }
    }
}
