using Concur.Tests.Support;
using Xunit.Abstractions;

namespace Concur.Tests.Threading.Deadlocks;

public class DeadlockStressTests(ITestOutputHelper output)
{
    private const int Threads = 8;
    private const int Locks = 16;
    private const int Iterations = 3000;

    private sealed class Slot
    {
        public ExclusiveLock Lock { get; init; } = null!;

        /// <summary>Incremented only while holding <see cref="Lock"/>, without atomics: a lost update means broken exclusion.</summary>
        public int Count { get; set; }
    }

    private static (int Completed, int Deadlocks) Run(bool globalOrder, int seed, Slot[] slots)
    {
        var random = new Random(seed);
        var completed = 0;
        var deadlocks = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var first = random.Next(Locks);
            var second = (first + 1 + random.Next(Locks - 1)) % Locks;
            if (globalOrder && first > second)
            {
                (first, second) = (second, first);
            }
            try
            {
                using (slots[first].Lock.Acquire())
                {
                    // Widen the window in which another thread can take the opposite pair (scheduling noise, not
                    // synchronization: the test holds whatever the interleaving).
                    if (random.Next(4) == 0)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        Thread.SpinWait(random.Next(200));
                    }
                    using (slots[second].Lock.Acquire())
                    {
                        slots[first].Count++;
                        slots[second].Count++;
                        completed++;
                    }
                }
            }
            catch (DeadlockException)
            {
                deadlocks++;
            }
        }
        return (completed, deadlocks);
    }

    private (int Completed, int Deadlocks) RunAll(bool globalOrder)
    {
        var slots = Enumerable.Range(0, Locks).Select(i => new Slot { Lock = new ExclusiveLock($"stress-{i}") }).ToArray();
        var results = new (int Completed, int Deadlocks)[Threads];
        var threads = new TestThreads();
        for (var t = 0; t < Threads; t++)
        {
            var index = t;
            threads.Start($"stress-{t}", () => results[index] = Run(globalOrder, 1000 + index, slots));
        }

        Assert.All(threads.JoinAll(), Assert.Null);
        var completed = results.Sum(r => r.Completed);
        var deadlocks = results.Sum(r => r.Deadlocks);
        Assert.Equal(Threads * Iterations, completed + deadlocks);
        Assert.Equal(2 * completed, slots.Sum(s => s.Count));
        Assert.All(slots, s => Assert.False(s.Lock.IsHeld));
        output.WriteLine($"{completed} pairs taken, {deadlocks} deadlocks reported and resolved");
        return (completed, deadlocks);
    }

    [Fact]
    public void Acquire_RandomPairsInOneGlobalOrder_NeverReportsADeadlock()
    {
        var (_, deadlocks) = RunAll(globalOrder: true);
        Assert.Equal(0, deadlocks);
    }

    [Fact]
    public void Acquire_RandomPairsInRandomOrder_NeverHangs_EveryDeadlockResolvesByException()
    {
        RunAll(globalOrder: false);
    }
}
