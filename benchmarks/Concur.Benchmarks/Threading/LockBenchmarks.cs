using BenchmarkDotNet.Attributes;
using Concur;

namespace Concur.Benchmarks.Threading;

/// <summary>
/// Uncontended acquire + release of Concur's owned locks (deadlock detection on, as by default) against
/// System.Threading.Lock and Monitor, and the cost of lock-order checking for nested locks once the pair is known.
/// </summary>
/// <remarks>
/// Each benchmark runs in its own process, so switching lock-order checking on for the "Ordered" cases (in their
/// GlobalSetup) does not touch the others.
/// </remarks>
[MemoryDiagnoser]
public class LockBenchmarks
{
    private readonly System.Threading.Lock _systemLock = new();
    private readonly object _monitor = new();
    private readonly ExclusiveLock _exclusive = new("bench-exclusive");
    private readonly ReentrantLock _reentrant = new("bench-reentrant");
    private readonly ExclusiveLock _a = new("bench-a");
    private readonly ExclusiveLock _b = new("bench-b");
    private readonly ExclusiveLock _c = new("bench-c");

    [GlobalSetup(Targets = [nameof(Nested2_OrderChecking), nameof(Nested3_OrderChecking)])]
    public void CheckOrder()
    {
        _a.LockOrderChecking = LockOrderPolicy.Throw;
        _b.LockOrderChecking = LockOrderPolicy.Throw;
        _c.LockOrderChecking = LockOrderPolicy.Throw;
        // Make every pair known, as in a program that has run for a while.
        Nested3_OrderChecking();
    }

    [Benchmark(Baseline = true, Description = "System.Threading.Lock")]
    public void SystemLock()
    {
        using (_systemLock.EnterScope())
        {
        }
    }

    [Benchmark(Description = "Monitor (lock(object))")]
    public void MonitorLock()
    {
        lock (_monitor)
        {
        }
    }

    [Benchmark(Description = "ExclusiveLock using scope")]
    public void ExclusiveScope()
    {
        using (_exclusive.Acquire())
        {
        }
    }

    [Benchmark(Description = "ExclusiveLock Acquire/Release()")]
    public void ExclusiveRelease()
    {
        _exclusive.Acquire();
        _exclusive.Release();
    }

    [Benchmark(Description = "ReentrantLock using scope")]
    public void ReentrantScope()
    {
        using (_reentrant.Acquire())
        {
        }
    }

    [Benchmark(Description = "Nested A->B, order checking off")]
    public void Nested2()
    {
        using (_a.Acquire())
        using (_b.Acquire())
        {
        }
    }

    [Benchmark(Description = "Nested A->B, order checking on")]
    public void Nested2_OrderChecking() => Nested2();

    [Benchmark(Description = "Nested A->B->C, order checking off")]
    public void Nested3()
    {
        using (_a.Acquire())
        using (_b.Acquire())
        using (_c.Acquire())
        {
        }
    }

    [Benchmark(Description = "Nested A->B->C, order checking on")]
    public void Nested3_OrderChecking() => Nested3();
}
