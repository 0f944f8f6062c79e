using Concur.Ipc.Managers.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// Atomic increments of the numbers in a <see cref="ManagerDict{TKey, TValue}"/>, done in the manager under the
/// dictionary's lock: the answer to <c>d[k] += 1</c>, which races across processes (in Python too).
/// </summary>
public static class ManagerDictExtensions
{
    /// <summary>Adds <paramref name="delta"/> to the number under <paramref name="key"/> (an absent key counts as 0) in one round trip, atomically.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="dict">The dictionary.</param>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add; the default is 1.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="InvalidOperationException">The sum would overflow an <see cref="int"/>; the value is unchanged.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public static int Increment<TKey>(this ManagerDict<TKey, int> dict, TKey key, int delta = 1)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dict);
        return (int)SyncOrAsync.RunSync(dict.IncrementCore(key, NumberKind.Int32, delta, sync: true, default));
    }

    /// <summary>Adds <paramref name="delta"/> to the number under <paramref name="key"/> (an absent key counts as 0) in one round trip, atomically.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="dict">The dictionary.</param>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add; the default is 1.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="InvalidOperationException">The sum would overflow a <see cref="long"/>; the value is unchanged.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public static long Increment<TKey>(this ManagerDict<TKey, long> dict, TKey key, long delta = 1)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dict);
        return SyncOrAsync.RunSync(dict.IncrementCore(key, NumberKind.Int64, delta, sync: true, default));
    }

    /// <summary>Adds <paramref name="delta"/> to the number under <paramref name="key"/> (an absent key counts as 0) in one round trip, atomically.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="dict">The dictionary.</param>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public static double Increment<TKey>(this ManagerDict<TKey, double> dict, TKey key, double delta)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dict);
        return SyncOrAsync.RunSync(dict.IncrementCore(key, delta, sync: true, default));
    }

    /// <summary>Asynchronously adds <paramref name="delta"/> to the number under <paramref name="key"/>, as <see cref="Increment{TKey}(ManagerDict{TKey, int}, TKey, int)"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="dict">The dictionary.</param>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add; the default is 1.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="InvalidOperationException">The sum would overflow an <see cref="int"/>; the value is unchanged.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public static async ValueTask<int> IncrementAsync<TKey>(this ManagerDict<TKey, int> dict, TKey key, int delta = 1, CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dict);
        return (int)await dict.IncrementCore(key, NumberKind.Int32, delta, sync: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asynchronously adds <paramref name="delta"/> to the number under <paramref name="key"/>, as <see cref="Increment{TKey}(ManagerDict{TKey, long}, TKey, long)"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="dict">The dictionary.</param>
    /// <param name="key">The key.</param>
    /// <param name="delta">What to add; the default is 1.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="InvalidOperationException">The sum would overflow a <see cref="long"/>; the value is unchanged.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public static ValueTask<long> IncrementAsync<TKey>(this ManagerDict<TKey, long> dict, TKey key, long delta = 1, CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dict);
        return dict.IncrementCore(key, NumberKind.Int64, delta, sync: false, cancellationToken);
    }
}
