using BenchmarkDotNet.Attributes;
using Concur;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Uncontended acquire + release of <see cref="ProcessLock"/> (issue 10, point 2: at most 50 ns, no system call),
/// beside <see cref="ExclusiveLock"/> and System.Threading.Lock in the same process; and of
/// <see cref="ProcessReentrantLock"/> (first and nested acquire) and <see cref="ProcessCondition"/> (acquire, notify with
/// no waiter, release). CPython's
/// <c>multiprocessing.Lock</c> is timed in the same run by <c>benchmarks/python/process_lock.py</c>
/// (<c>benchmarks/compare-locks.sh</c>).
/// </summary>
[MemoryDiagnoser]
public class ProcessLockBenchmarks
{
    private readonly System.Threading.Lock _systemLock = new();
    private readonly ExclusiveLock _exclusive = new("bench-exclusive");
    private ProcessLock _processLock = null!;
    private ProcessReentrantLock _reentrant = null!;
    private ProcessCondition _condition = null!;

    /// <summary>Creates the locks in shared memory.</summary>
    [GlobalSetup]
    public void Create()
    {
        _processLock = new ProcessLock();
        _reentrant = new ProcessReentrantLock();
        _condition = new ProcessCondition();
    }

    /// <summary>Closes them.</summary>
    [GlobalCleanup]
    public void Close()
    {
        _processLock.Dispose();
        _reentrant.Dispose();
        _condition.Dispose();
    }

    /// <summary>The floor: a lock that is not shared with other processes.</summary>
    [Benchmark(Baseline = true, Description = "System.Threading.Lock")]
    public void SystemLock()
    {
        using (_systemLock.EnterScope())
        {
        }
    }

    /// <summary>Concur's thread lock.</summary>
    [Benchmark(Description = "ExclusiveLock using scope")]
    public void ExclusiveScope()
    {
        using (_exclusive.Acquire())
        {
        }
    }

    /// <summary>The process lock through its scope.</summary>
    [Benchmark(Description = "ProcessLock using scope")]
    public void ProcessScope()
    {
        using (_processLock.Acquire())
        {
        }
    }

    /// <summary>The process lock as Python's <c>acquire()</c>/<c>release()</c>.</summary>
    [Benchmark(Description = "ProcessLock TryAcquire/Release()")]
    public void ProcessRelease()
    {
        _processLock.TryAcquire();
        _processLock.Release();
    }

    /// <summary>The reentrant process lock through its scope (Python's <c>with rlock:</c>).</summary>
    [Benchmark(Description = "ProcessReentrantLock using scope")]
    public void ReentrantScope()
    {
        using (_reentrant.Acquire())
        {
        }
    }

    /// <summary>The reentrant process lock taken twice, nested.</summary>
    [Benchmark(Description = "ProcessReentrantLock nested twice")]
    public void ReentrantNested()
    {
        using (_reentrant.Acquire())
        using (_reentrant.Acquire())
        {
        }
    }

    /// <summary>A condition's lock, a notify with no waiter, the release (Python's <c>with cond: cond.notify()</c>).</summary>
    [Benchmark(Description = "ProcessCondition acquire+notify+release")]
    public void ConditionNotify()
    {
        using (_condition.Acquire())
        {
            _condition.Notify();
        }
    }
}
