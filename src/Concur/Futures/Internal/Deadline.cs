using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>A point in time by which a wait must end, or none. Counts on the monotonic <see cref="Stopwatch"/> clock.</summary>
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

    /// <summary>Starts counting <paramref name="timeout"/> now; <see langword="null"/> or infinite means no deadline.</summary>
    public static Deadline Start(TimeSpan? timeout) =>
        new(Stopwatch.GetTimestamp(), timeout ?? Timeout.InfiniteTimeSpan);

    /// <summary>Gets the time left (never negative), or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }
            var left = _timeout - Stopwatch.GetElapsedTime(_start);
            return left < TimeSpan.Zero ? TimeSpan.Zero : left;
        }
    }

    /// <summary>Gets the time left in whole milliseconds (rounded up, capped at <see cref="int.MaxValue"/>), or -1 for infinite.</summary>
    public int RemainingMilliseconds
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.Infinite;
            }
            var ms = Math.Ceiling(Remaining.TotalMilliseconds);
            return ms >= int.MaxValue ? int.MaxValue : (int)ms;
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="timeout"/> is null, or valid for every
    /// Concur wait (zero or positive up to <see cref="int.MaxValue"/> milliseconds, or infinite).
    /// </summary>
    public static void Validate(TimeSpan? timeout, string paramName)
    {
        if (timeout is { } t)
        {
            Timeouts.Validate(t, paramName);
        }
    }
}
