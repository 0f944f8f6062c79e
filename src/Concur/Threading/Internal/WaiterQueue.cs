using System.Diagnostics;

namespace Concur.Threading.Internal;

/// <summary>
/// An intrusive first-in first-out queue of <see cref="LockWaiter"/>s: the one waiter queue of the owned locks and of
/// the conditions over them (as Nito.AsyncEx's <c>AsyncWaitQueue</c> serves every primitive there).
/// </summary>
/// <remarks>
/// <para>
/// A lock has one queue of blocked acquirers; each <see cref="Condition"/> over it has one queue of waiters. Both are
/// guarded by the same lock's internal gate, which is what lets <see cref="Condition.Notify"/> move a waiter from the
/// condition's queue straight onto the lock's (wait morphing) in one step, and a timed-out waiter leave the condition's
/// queue without racing a notify.
/// </para>
/// <para>
/// The links live in the waiters themselves, so adding and removing allocate nothing and removal from the middle (a
/// waiter that gives up) is O(1). A waiter is in at most one queue at a time; <see cref="LockWaiter.Queue"/> says which.
/// Not thread-safe: every member must run under the gate of the lock that owns the queue.
/// </para>
/// </remarks>
internal sealed class WaiterQueue
{
    private LockWaiter? _head;
    private LockWaiter? _tail;
    private int _count;

    /// <summary>Gets the number of waiters queued. Safe to read without the gate as a hint.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets a value indicating whether no waiter is queued.</summary>
    public bool IsEmpty => _head is null;

    /// <summary>Gets the longest waiting waiter, or <see langword="null"/>.</summary>
    public LockWaiter? First => _head;

    /// <summary>Appends <paramref name="waiter"/>, which must not be in a queue.</summary>
    public void AddLast(LockWaiter waiter)
    {
        Debug.Assert(waiter.Queue is null, "A waiter is in at most one queue.");
        waiter.Queue = this;
        waiter.Previous = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }
        _tail = waiter;
        Volatile.Write(ref _count, _count + 1);
        AssertInvariants();
    }

    /// <summary>Puts <paramref name="waiter"/>, which must not be in a queue, at the front.</summary>
    public void AddFirst(LockWaiter waiter)
    {
        Debug.Assert(waiter.Queue is null, "A waiter is in at most one queue.");
        waiter.Queue = this;
        waiter.Previous = null;
        waiter.Next = _head;
        if (_head is null)
        {
            _tail = waiter;
        }
        else
        {
            _head.Previous = waiter;
        }
        _head = waiter;
        Volatile.Write(ref _count, _count + 1);
        AssertInvariants();
    }

    /// <summary>Removes <paramref name="waiter"/>, which must be in this queue.</summary>
    public void Remove(LockWaiter waiter)
    {
        Debug.Assert(ReferenceEquals(waiter.Queue, this), "Only a waiter of this queue can be removed from it.");
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }
        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }
        waiter.Next = waiter.Previous = null;
        waiter.Queue = null;
        Volatile.Write(ref _count, _count - 1);
        AssertInvariants();
    }

    /// <summary>Removes and returns the longest waiting waiter, or <see langword="null"/> when empty.</summary>
    public LockWaiter? TakeFirst()
    {
        var first = _head;
        if (first is not null)
        {
            Remove(first);
        }
        return first;
    }

    /// <summary>Copies the queued waiters, longest waiting first, into <paramref name="into"/>.</summary>
    public void CopyTo(List<LockWaiter> into)
    {
        for (var w = _head; w is not null; w = w.Next)
        {
            into.Add(w);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert((_head is null) == (_tail is null), "Head and tail are both set or both empty.");
        Debug.Assert((_head is null) == (_count == 0), "The count matches the links.");
        Debug.Assert(_head?.Previous is null && _tail?.Next is null, "The ends have no outer links.");
    }
}
