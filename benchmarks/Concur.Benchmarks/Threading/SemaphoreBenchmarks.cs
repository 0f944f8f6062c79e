using BenchmarkDotNet.Attributes;

namespace Concur.Benchmarks.Threading;

/// <summary>
/// Uncontended acquire + release of Concur's semaphores against <see cref="SemaphoreSlim"/>, which they wrap: the
/// figures show what the wrapper (guard clauses, the <c>using</c> scope) costs on top of the BCL type.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- --filter '*SemaphoreBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class SemaphoreBenchmarks
{
    private readonly SemaphoreSlim _slim = new(1, int.MaxValue);
    private readonly CountingSemaphore _counting = new(1);
    private readonly BoundedSemaphore _bounded = new(1);

    /// <summary>The BCL baseline: <c>SemaphoreSlim.Wait(); Release();</c>.</summary>
    [Benchmark(Baseline = true)]
    public void SemaphoreSlim_WaitRelease()
    {
        _slim.Wait();
        _slim.Release();
    }

    /// <summary><c>using (semaphore.Acquire()) { }</c> on a counting semaphore.</summary>
    [Benchmark]
    public void CountingSemaphore_UsingAcquire()
    {
        using (_counting.Acquire())
        {
        }
    }

    /// <summary><c>TryAcquire(); Release();</c> on a counting semaphore.</summary>
    [Benchmark]
    public void CountingSemaphore_TryAcquireRelease()
    {
        _counting.TryAcquire();
        _counting.Release();
    }

    /// <summary><c>using (semaphore.Acquire()) { }</c> on a bounded semaphore.</summary>
    [Benchmark]
    public void BoundedSemaphore_UsingAcquire()
    {
        using (_bounded.Acquire())
        {
        }
    }

    /// <summary>The BCL baseline, asynchronously: <c>await WaitAsync(); Release();</c> (completes synchronously).</summary>
    [Benchmark]
    public async Task SemaphoreSlim_WaitAsyncRelease()
    {
        await _slim.WaitAsync();
        _slim.Release();
    }

    /// <summary><c>using (await semaphore.AcquireAsync()) { }</c> on a counting semaphore (completes synchronously).</summary>
    [Benchmark]
    public async Task CountingSemaphore_UsingAcquireAsync()
    {
        using (await _counting.AcquireAsync())
        {
        }
    }
}
