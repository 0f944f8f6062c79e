using System.Diagnostics;

namespace Concur.Threading.Internal;

/// <summary>
/// The one timeout rule and the one remaining-time computation shared by every blocking call of Concur (locks,
/// conditions, queues, barriers, semaphores, events, executors, <c>Futures</c>).
/// </summary>
/// <remarks>
/// A wait that loops (a condition woken for nothing, a lock lost to a barging thread) must not restart its timeout
/// on each round: it takes <see cref="StartClock"/> once and asks <see cref="Remaining"/> before every wait. The clock
/// is <see cref="Stopwatch"/>, which is monotonic, so changing the wall clock neither shortens nor extends a wait.
/// </remarks>
internal static class Timeouts
{
    /// <summary>The longest finite timeout the underlying waits accept (<see cref="int.MaxValue"/> milliseconds, about 24.8 days).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="timeout"/> is zero or positive (and at most
    /// <see cref="Longest"/>) or <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    public static void Validate(TimeSpan timeout, string paramName)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                timeout,
                "The timeout is negative. Pass TimeSpan.Zero or a positive TimeSpan, or Timeout.InfiniteTimeSpan to wait forever.");
        }
        if (timeout > Longest)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                timeout,
                $"The timeout is longer than {Longest} (int.MaxValue milliseconds). Pass Timeout.InfiniteTimeSpan to wait forever.");
        }
    }

    /// <summary>The same rule for an optional timeout: <see langword="null"/> (no limit, as Python's <c>timeout=None</c>) is always valid.</summary>
    public static void Validate(TimeSpan? timeout, string paramName)
    {
        if (timeout is { } value)
        {
            Validate(value, paramName);
        }
    }

    /// <summary>Starts counting <paramref name="timeout"/>: a <see cref="Stopwatch"/> timestamp, or 0 for an infinite one (no clock read).</summary>
    public static long StartClock(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? 0 : Stopwatch.GetTimestamp();

    /// <summary>
    /// Gets the part of <paramref name="timeout"/> left since <paramref name="start"/> (from <see cref="StartClock"/>):
    /// never negative, <see cref="TimeSpan.Zero"/> once it ran out, and <see cref="Timeout.InfiniteTimeSpan"/> for an infinite timeout.
    /// </summary>
    public static TimeSpan Remaining(TimeSpan timeout, long start)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }
        var remaining = timeout - Stopwatch.GetElapsedTime(start);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
