using System.Diagnostics;

namespace Concur.Threading.Internal;

/// <summary>
/// The one remaining-time computation of Concur: a timeout and the moment it started, or none. Every wait that may
/// wait more than once (a condition woken for nothing, a lock lost to a barging thread, a queue whose item another
/// getter took, a <c>Futures.Wait</c> over many tasks, a map over many items) starts one deadline and asks
/// <see cref="Remaining"/> before each wait, so its timeout is never restarted.
/// </summary>
/// <remarks>
/// The clock is <see cref="Stopwatch"/>, which is monotonic: changing the wall clock neither shortens nor extends a
/// wait. An infinite deadline reads no clock at all. Timeouts are validated before they get here
/// (<see cref="Timeouts.Validate(TimeSpan, string)"/>), so a finite one is between zero and <see cref="Timeouts.Longest"/>.
/// </remarks>
internal readonly struct Deadline
{
    private readonly long _start;
    private readonly TimeSpan _timeout;

    private Deadline(long start, TimeSpan timeout)
    {
        _start = start;
        _timeout = timeout;
    }

    /// <summary>Gets a value indicating whether the deadline never runs out.</summary>
    public bool IsInfinite => _timeout == Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Gets the time left: never negative, <see cref="TimeSpan.Zero"/> once it ran out (a last try without waiting),
    /// and <see cref="Timeout.InfiniteTimeSpan"/> for an infinite deadline.
    /// </summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }
            var remaining = _timeout - Stopwatch.GetElapsedTime(_start);
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Gets <see cref="Remaining"/> in whole milliseconds for the waits that take an <see cref="int"/>: rounded up (so
    /// a wait never ends before the deadline), or <see cref="Timeout.Infinite"/> (-1) for an infinite deadline.
    /// </summary>
    public int RemainingMilliseconds
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.Infinite;
            }
            // Capped for a timeout that skipped validation; a validated one is at most Timeouts.Longest (int.MaxValue ms).
            return (int)Math.Min(Math.Ceiling(Remaining.TotalMilliseconds), int.MaxValue);
        }
    }

    /// <summary>
    /// Starts counting <paramref name="timeout"/> now: <see langword="null"/> (Python's <c>timeout=None</c>) or
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no deadline, <see cref="TimeSpan.Zero"/> one that has already run out.
    /// </summary>
    public static Deadline Start(TimeSpan? timeout)
    {
        var value = timeout ?? Timeout.InfiniteTimeSpan;
        return new Deadline(value == Timeout.InfiniteTimeSpan ? 0 : Stopwatch.GetTimestamp(), value);
    }
}
