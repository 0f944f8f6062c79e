namespace Concur.Processes.Internal;

/// <summary>
/// Lends the memory of arrays that were sent to a worker and are no longer needed to the arrays of its answer.
/// </summary>
/// <remarks>
/// <para>
/// A large argument travels as a snapshot taken at Submit (<c>Serialization.OutOfBand</c>), which only the
/// transport ever sees. Once the worker has read it, the snapshot is dead; a task that transforms an array usually
/// answers with an array of the same type and length, and reading the answer into the snapshot's memory instead of a
/// fresh array keeps the parent's peak at one payload (not two) and saves the page faults of fresh memory (a 100 MiB
/// array takes 25,600 of them, 270-550 ms on a virtual machine here; docs/benchmarks.md).
/// </para>
/// <para>
/// Released arrays are held by weak references only: the recycler never keeps memory alive, so an array the GC has
/// collected in the meantime is simply not reused. Arrays below <see cref="MinimumBytes"/> are not worth it.
/// </para>
/// </remarks>
internal sealed class ArrayRecycler
{
    /// <summary>The recycler of this process: snapshots are the transport's own, whichever pool sent them.</summary>
    public static readonly ArrayRecycler Shared = new();

    /// <summary>Arrays smaller than this are left to the GC: allocating them costs little.</summary>
    public const long MinimumBytes = 1 << 20;

    /// <summary>How many released arrays are remembered; a few cover the tasks in flight on a few workers.</summary>
    private const int Capacity = 8;

    private readonly Lock _gate = new();
    private readonly WeakReference<Array>?[] _slots = new WeakReference<Array>?[Capacity];
    private int _next;

    /// <summary>Offers arrays that nothing but the transport ever referenced, and that nothing will use again.</summary>
    public void Offer(IReadOnlyList<Array> arrays)
    {
        foreach (Array array in arrays)
        {
            if (Serialization.OutOfBand.ByteLength(array) < MinimumBytes)
            {
                continue;
            }
            lock (_gate)
            {
                _slots[_next] = new WeakReference<Array>(array);
                _next = (_next + 1) % Capacity;
            }
        }
    }

    /// <summary>Takes a released array of exactly <paramref name="length"/> elements of <paramref name="elementType"/>, if one is still alive.</summary>
    /// <returns>The array, whose contents are to be overwritten entirely, or <see langword="null"/>.</returns>
    public Array? Take(Type elementType, int length)
    {
        lock (_gate)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] is { } slot && slot.TryGetTarget(out Array? array))
                {
                    if (array.Length == length && array.GetType().GetElementType() == elementType)
                    {
                        _slots[i] = null;
                        return array;
                    }
                }
                else
                {
                    _slots[i] = null;
                }
            }
        }
        return null;
    }
}
