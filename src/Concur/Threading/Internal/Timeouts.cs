namespace Concur.Threading.Internal;

/// <summary>Guard clauses shared by every blocking call of the thread primitives.</summary>
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
}
