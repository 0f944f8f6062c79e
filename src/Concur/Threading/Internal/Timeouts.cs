namespace Concur.Threading.Internal;

/// <summary>
/// The one timeout rule of Concur, checked at every public member that takes a timeout (locks, conditions, queues,
/// barriers, semaphores, events, timers, executors' <c>Map</c>, <c>Futures</c>) with the same message.
/// </summary>
/// <remarks>
/// <para>The rule, as Python's <c>timeout</c> arguments and .NET's waits agree on it:</para>
/// <list type="bullet">
/// <item><description><see cref="TimeSpan.Zero"/> is allowed and means "poll": try once, do not wait (Python's <c>timeout=0</c>).</description></item>
/// <item><description>A positive timeout up to <see cref="Longest"/> waits at most that long.</description></item>
/// <item><description><see cref="Timeout.InfiniteTimeSpan"/> (-1 ms) waits forever, as for every .NET wait.</description></item>
/// <item><description><see langword="null"/>, where the parameter is a <c>TimeSpan?</c>, also means no limit (Python's <c>timeout=None</c>).</description></item>
/// <item><description>
/// Anything else is refused with <see cref="ArgumentOutOfRangeException"/> at the call: any other negative value (CPython
/// raises <c>ValueError</c> for a negative timeout; treating it as zero or as infinite would hide a bug), and a value
/// above <see cref="Longest"/>, which the operating system's waits cannot take.
/// </description></item>
/// </list>
/// <para>How much of a timeout is left is <see cref="Deadline"/>'s job; how long to spin first, <see cref="Spinning"/>'s.</para>
/// </remarks>
internal static class Timeouts
{
    /// <summary>
    /// The longest finite timeout: <see cref="int.MaxValue"/> milliseconds (about 24.8 days), the most that
    /// <see cref="Monitor.Wait(object, int)"/>, <see cref="SemaphoreSlim.Wait(int)"/> and <see cref="Task.Wait(int)"/> accept.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Applies the rule: throws <see cref="ArgumentOutOfRangeException"/> for a negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/> or one above <see cref="Longest"/>.</summary>
    /// <param name="timeout">The caller's timeout.</param>
    /// <param name="paramName">The name of the caller's parameter, for the exception.</param>
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
                "The timeout is negative. Pass TimeSpan.Zero to try without waiting, a positive TimeSpan, or Timeout.InfiniteTimeSpan to wait forever.");
        }
        if (timeout > Longest)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                timeout,
                $"The timeout is longer than {Longest} (int.MaxValue milliseconds). Pass Timeout.InfiniteTimeSpan to wait forever.");
        }
    }

    /// <summary>Applies the rule to an optional timeout: <see langword="null"/> (no limit) is always valid.</summary>
    /// <param name="timeout">The caller's timeout.</param>
    /// <param name="paramName">The name of the caller's parameter, for the exception.</param>
    public static void Validate(TimeSpan? timeout, string paramName)
    {
        if (timeout is { } value)
        {
            Validate(value, paramName);
        }
    }
}
