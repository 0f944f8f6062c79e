using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>A point in time by which a wait must end, or none: a timeout and its start, counted by <see cref="Timeouts"/>.</summary>
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
        new(Timeouts.StartClock(timeout ?? Timeout.InfiniteTimeSpan), timeout ?? Timeout.InfiniteTimeSpan);

    /// <summary>Gets the time left (never negative), or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan Remaining => Timeouts.Remaining(_timeout, _start);

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
}
