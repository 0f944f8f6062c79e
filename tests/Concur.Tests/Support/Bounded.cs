using System.Diagnostics;

namespace Concur.Tests.Support;

/// <summary>
/// Bounded waits for tests: every wait in the suite goes through here, so a bug fails the test with a message
/// instead of hanging the run.
/// </summary>
internal static class Bounded
{
    /// <summary>The longest any single wait in a test may take before the test fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Joins <paramref name="thread"/>, failing the test if it does not end within <see cref="Limit"/>.</summary>
    public static void Join(Thread thread)
    {
        if (!thread.Join(Limit))
        {
            throw new TimeoutException($"Thread '{thread.Name}' did not finish within {Limit.TotalSeconds} s.");
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing the test if it does not complete within <see cref="Limit"/>.</summary>
    public static Task Within(Task task) => task.WaitAsync(Limit);

    /// <summary>Awaits <paramref name="task"/>, failing the test if it does not complete within <see cref="Limit"/>.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Limit);

    /// <summary>Blocks until <paramref name="task"/> completes, failing the test after <see cref="Limit"/>.</summary>
    public static T Result<T>(Task<T> task)
    {
        if (!task.Wait(Limit))
        {
            throw new TimeoutException($"Task did not complete within {Limit.TotalSeconds} s.");
        }
        return task.Result;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, failing the test after <see cref="Limit"/>. For observing
    /// state that has no event to wait on (a thread parked in a lock, a process that exited); never for ordering.
    /// </summary>
    public static void Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        var spinner = new SpinWait();
        while (!condition())
        {
            if (watch.Elapsed > Limit)
            {
                throw new TimeoutException($"Timed out after {Limit.TotalSeconds} s waiting until {what}.");
            }
            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }
}
