namespace Concur;

/// <summary>Atomic arithmetic on shared counters: <see cref="SharedValue{T}"/> of <see cref="int"/> and <see cref="long"/>.</summary>
public static class SharedValueExtensions
{
    /// <summary>
    /// Adds <paramref name="by"/> to the value atomically for every process (Python's
    /// <c>with v.get_lock(): v.value += 1</c>): under the lock when the value has one, so that it agrees with
    /// <see cref="SharedValue{T}.Update"/> and the lock's scopes; otherwise with one atomic instruction.
    /// </summary>
    /// <param name="value">The shared counter.</param>
    /// <param name="by">The amount to add (negative to subtract).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public static int Increment(this SharedValue<int> value, int by = 1)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.HasLock
            ? value.Block.Locked(by, static (block, n) => block.Element<int>(0) += n)
            : Interlocked.Add(ref value.Value, by);
    }

    /// <summary>Adds <paramref name="by"/> to the value atomically for every process, as <see cref="Increment(SharedValue{int}, int)"/>.</summary>
    /// <param name="value">The shared counter.</param>
    /// <param name="by">The amount to add (negative to subtract).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public static long Increment(this SharedValue<long> value, long by = 1)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.HasLock
            ? value.Block.Locked(by, static (block, n) => block.Element<long>(0) += n)
            : Interlocked.Add(ref value.Value, by);
    }
}
