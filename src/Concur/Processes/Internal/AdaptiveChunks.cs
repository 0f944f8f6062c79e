using System.Diagnostics;

namespace Concur.Processes.Internal;

/// <summary>
/// Cuts a source whose size is not known without enumerating it (<c>.Where(...)</c>, an iterator, an endless
/// stream) into chunks for a process map: small first, so the first results come fast, then growing toward
/// Python's <c>Pool.map</c> size rule, ceil(n / (4 * workers)), with n the number of items seen so far, so a long
/// source ends up with chunks of the size it would have had if its length had been known.
/// </summary>
/// <remarks>
/// <para>
/// Growth stops at <see cref="MaxItems"/>, and at whatever keeps a chunk near <see cref="TargetBytes"/> on the wire
/// and <see cref="TargetTime"/> of running, measured on the chunks that complete (<see cref="Observe"/>): items of
/// 64 KiB, or of a second each, never grow chunks that hold hundreds of megabytes or run for minutes, however long
/// the source runs. Only the limit is shared between threads (chunks are cut on the consumer's thread, observed on
/// the reader threads); a limit a few chunks stale is harmless, since from one chunk to the next the size grows by
/// about 1 / (4 * workers) only.
/// </para>
/// <para>
/// With 2 workers the first 9 chunks hold one item each (as Python's <c>imap</c> default), and the size grows by
/// about an eighth per chunk: 200,000 trivial items take 98 chunks and 1,000,000 take 196, where an array gets 8.
/// </para>
/// </remarks>
internal sealed class AdaptiveChunks
{
    /// <summary>
    /// The largest chunk, in items. 8,192 elements of 8 bytes (a reference, a <c>long</c>, a <c>double</c>) make 64 KiB:
    /// a chunk's argument and result arrays stay below the large object heap (85,000 bytes), so they die young in
    /// gen 0 instead of costing gen 2 collections. Measured here (2 workers, 1,000,000 trivial items; docs/benchmarks.md),
    /// chunks of 8,192 or 16,384 ran as fast as Python's uncapped 125,000 and 2.4x faster than 65,536: by 8,192 a
    /// chunk's fixed cost (a round trip, tens of microseconds) is hidden behind the work of the chunks around it.
    /// </summary>
    public const int MaxItems = 8_192;

    /// <summary>
    /// The bytes (arguments plus results, as serialized) a chunk should stay near, for items too large for
    /// <see cref="MaxItems"/> to bound. Chunks in flight hold about the window (4 * workers chunks by default) times
    /// this: 8 MiB with 2 workers. At 1 MiB a chunk's fixed cost is long amortized (a pipe moves about 2 GiB/s here,
    /// so 1 MiB is half a millisecond of copying).
    /// </summary>
    public const long TargetBytes = 1 << 20;

    /// <summary>
    /// How long a chunk should run, at most about. A chunk's results arrive together and a running chunk is not
    /// cancelled, so this is the delay a consumer may see between batches of results and the longest a cancelled or
    /// abandoned map keeps a worker busy; a tenth of a second makes a chunk's fixed cost (tens of microseconds)
    /// negligible, and is far above the scheduling hiccups (a few milliseconds) that the measure also catches.
    /// </summary>
    public static readonly TimeSpan TargetTime = TimeSpan.FromMilliseconds(100);

    private static readonly long s_targetTicks = (long)(TargetTime.TotalSeconds * Stopwatch.Frequency);

    private readonly int _workers;
    private int _limit = MaxItems;

    /// <summary>Creates the sizer for a pool of <paramref name="workers"/> workers.</summary>
    public AdaptiveChunks(int workers)
    {
        Debug.Assert(workers > 0, "A pool has at least one worker.");
        _workers = workers;
    }

    /// <summary>Gets the largest chunk the measures allow now (<see cref="MaxItems"/> until a chunk has completed).</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>Gets the size of the next chunk once <paramref name="seen"/> items have been cut into chunks.</summary>
    public int SizeAfter(long seen)
    {
        long python = (seen + (4L * _workers) - 1) / (4L * _workers); // ceil(seen / (4 * workers))
        return (int)Math.Clamp(python, 1, Limit);
    }

    /// <summary>Cuts <paramref name="source"/> lazily: an item is read only when the chunk that holds it is asked for.</summary>
    public IEnumerable<T[]> Cut<T>(IEnumerable<T> source)
    {
        using IEnumerator<T> items = source.GetEnumerator();
        long seen = 0;
        while (true)
        {
            int size = SizeAfter(seen);
            var chunk = new T[size];
            int count = 0;
            while (count < size && items.MoveNext())
            {
                chunk[count++] = items.Current;
            }
            if (count == 0)
            {
                yield break;
            }
            if (count < size)
            {
                Array.Resize(ref chunk, count);
            }
            seen += count;
            yield return chunk;
            if (count < size)
            {
                yield break; // The source has ended: do not ask it again.
            }
        }
    }

    /// <summary>
    /// Records a completed chunk: <paramref name="items"/> items whose arguments and results took
    /// <paramref name="bytes"/> bytes and which ran for <paramref name="elapsed"/> <see cref="Stopwatch"/> ticks.
    /// The next chunks stay within what keeps such a chunk near <see cref="TargetBytes"/> and <see cref="TargetTime"/>.
    /// </summary>
    public void Observe(int items, long bytes, long elapsed)
    {
        long byBytes = bytes > 0 ? TargetBytes * items / bytes : MaxItems;
        long byTime = elapsed > 0 ? s_targetTicks * items / elapsed : MaxItems;
        Volatile.Write(ref _limit, (int)Math.Clamp(Math.Min(byBytes, byTime), 1, MaxItems));
    }
}
