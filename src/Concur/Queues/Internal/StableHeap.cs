using System.Diagnostics;

namespace Concur.Queues.Internal;

/// <summary>
/// A binary min-heap that keeps items of equal rank in insertion order (each item carries a sequence number), and
/// stays intact when the comparer throws: every comparison happens before the first write, so a failed push or pop
/// leaves the heap exactly as it was. Not thread-safe; <see cref="PriorityOrderQueue{T}"/> calls it under its lock.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
internal sealed class StableHeap<T>
{
    // Deep enough for any heap an array can hold: log2(int.MaxValue) < 32.
    private const int MaxDepth = 32;

    private readonly IComparer<T> _comparer;
    private Entry[] _entries = new Entry[8];
    private int _count;
    private long _nextSequence;

    public StableHeap(IComparer<T> comparer) => _comparer = comparer;

    public int Count => _count;

    public void Push(T item)
    {
        var entry = new Entry(item, _nextSequence);
        // Find where the new entry ends up, comparing only.
        var target = _count;
        while (target > 0)
        {
            var parent = (target - 1) / 2;
            if (Less(entry, _entries[parent]))
            {
                target = parent;
            }
            else
            {
                break;
            }
        }
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        // Now move the parents on the path down by one level, and place the entry.
        var index = _count;
        while (index != target)
        {
            var parent = (index - 1) / 2;
            _entries[index] = _entries[parent];
            index = parent;
        }
        _entries[target] = entry;
        _count++;
        _nextSequence++;
    }

    public T Pop()
    {
        Debug.Assert(_count > 0, "Pop on an empty heap.");
        var top = _entries[0].Item;
        var lastIndex = _count - 1;
        if (lastIndex == 0)
        {
            _entries[0] = default;
            _count = 0;
            return top;
        }
        var last = _entries[lastIndex];
        // The last entry sinks from the root along the path of smaller children; record the path, comparing only.
        Span<int> path = stackalloc int[MaxDepth];
        var depth = 0;
        var index = 0;
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= lastIndex)
            {
                break;
            }
            if (child + 1 < lastIndex && Less(_entries[child + 1], _entries[child]))
            {
                child++;
            }
            if (!Less(_entries[child], last))
            {
                break;
            }
            path[depth++] = child;
            index = child;
        }
        // Move each child on the path up one level, then place the last entry where the path ends.
        var hole = 0;
        for (var i = 0; i < depth; i++)
        {
            _entries[hole] = _entries[path[i]];
            hole = path[i];
        }
        _entries[hole] = last;
        _entries[lastIndex] = default;
        _count = lastIndex;
        return top;
    }

    public void Clear()
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
    }

    private bool Less(in Entry x, in Entry y)
    {
        var order = _comparer.Compare(x.Item, y.Item);
        return order < 0 || (order == 0 && x.Sequence < y.Sequence);
    }

    private readonly record struct Entry(T Item, long Sequence);
}
