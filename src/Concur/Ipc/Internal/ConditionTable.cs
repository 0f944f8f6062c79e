namespace Concur.Ipc.Internal;

/// <summary>
/// The waiters of the conditions over one process lock, in the lock's own shared memory (<see cref="SyncMemory.Table"/>):
/// one slot per waiting thread, <c>[state | pid | condition | ticket]</c>, so that a notify knows which process each
/// waiter belongs to and skips the dead.
/// </summary>
/// <remarks>
/// <para>
/// A waiter enlists while it holds the lock (a free slot, its pid, its condition, the next ticket, then the state
/// <see cref="Waiting"/>), releases the lock and sleeps on <see cref="SyncMemory.Notifications"/> until its slot says
/// <see cref="Notified"/>. A notifier, holding the lock, takes the waiting slots of its condition in ticket order
/// (longest waiting first), frees those whose process no longer runs without counting them, and swaps the others to
/// <see cref="Notified"/> until it has counted as many as asked. A waiter that gives up (timeout, cancellation) swaps
/// its own slot from <see cref="Waiting"/> to <see cref="Free"/>; when that swap fails a notify came first, and the
/// waiter counts as notified, so no notify is lost between a timeout and a notify.
/// </para>
/// <para>
/// What a death costs: a waiter killed while waiting is skipped by the next notify (which then wakes a live waiter
/// instead); a waiter killed after a notify chose it and before it woke takes that notify with it, as a thread that dies
/// right after waking would. Its slot is reclaimed when the table is full.
/// </para>
/// </remarks>
internal static unsafe class ConditionTable
{
    /// <summary>A slot no one uses.</summary>
    public const int Free = 0;

    /// <summary>A waiter waits for a notify.</summary>
    public const int Waiting = 1;

    /// <summary>A notify chose the waiter, which has not woken yet.</summary>
    public const int Notified = 2;

    /// <summary>The bytes of one slot.</summary>
    private const int SlotSize = 16;

    /// <summary>Gets how many threads, in all processes, may wait at once on the conditions of one lock.</summary>
    public static int Capacity => (SyncMemory.Size - SyncMemory.TableOffset) / SlotSize;

    /// <summary>Enlists a waiter of <paramref name="condition"/> from this process; the caller holds the lock and a use of the memory.</summary>
    /// <returns>The waiter's slot.</returns>
    /// <exception cref="InvalidOperationException">The table is full of live waiters.</exception>
    public static int Enlist(SyncMemory memory, int condition)
    {
        int used = Volatile.Read(ref memory.TableUsed);
        int slot = FindFree(memory, used);
        if (slot < 0 && used < Capacity)
        {
            slot = used;
            Volatile.Write(ref memory.TableUsed, used + 1);
        }
        if (slot < 0)
        {
            slot = Reclaim(memory, used);
        }
        if (slot < 0)
        {
            throw new InvalidOperationException(
                $"{Capacity} threads already wait on the conditions of this lock, the most its shared memory holds: notify some, or wait on another lock.");
        }
        int* at = Slot(memory, slot);
        at[1] = Environment.ProcessId;
        at[2] = condition;
        int ticket = Volatile.Read(ref memory.Tickets) + 1;
        Volatile.Write(ref memory.Tickets, ticket);
        at[3] = ticket;
        Volatile.Write(ref at[0], Waiting);
        return slot;
    }

    /// <summary>Gets the state of <paramref name="slot"/>.</summary>
    public static int State(SyncMemory memory, int slot) => Volatile.Read(ref Slot(memory, slot)[0]);

    /// <summary>Leaves <paramref name="slot"/> after a wait; returns whether a notify had chosen it.</summary>
    public static bool Leave(SyncMemory memory, int slot)
    {
        int* at = Slot(memory, slot);
        if (Interlocked.CompareExchange(ref at[0], Free, Waiting) == Waiting)
        {
            return false;
        }
        Volatile.Write(ref at[0], Free); // It was Notified: only its waiter frees it.
        return true;
    }

    /// <summary>
    /// Notifies up to <paramref name="count"/> live waiters of <paramref name="condition"/>, longest waiting first, and
    /// frees the slots of dead ones; the caller holds the lock and a use of the memory. Returns how many it notified.
    /// </summary>
    public static int Notify(SyncMemory memory, int condition, int count)
    {
        int used = Volatile.Read(ref memory.TableUsed);
        var waiting = new List<(int Ticket, int Slot)>();
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
            if (Volatile.Read(ref at[0]) == Waiting && at[2] == condition)
            {
                waiting.Add((at[3], i));
            }
        }
        waiting.Sort(static (a, b) => (a.Ticket - b.Ticket).CompareTo(0)); // Tickets wrap: compare by difference.
        int notified = 0;
        int self = Environment.ProcessId;
        foreach (var (_, slot) in waiting)
        {
            if (notified >= count)
            {
                break;
            }
            int* at = Slot(memory, slot);
            int pid = at[1];
            if (pid != self && !SharedMemoryNative.IsAlive(pid))
            {
                Interlocked.CompareExchange(ref at[0], Free, Waiting); // Killed while waiting: skip it, and free its slot.
                continue;
            }
            if (Interlocked.CompareExchange(ref at[0], Notified, Waiting) == Waiting)
            {
                notified++;
            }
        }
        if (notified > 0)
        {
            memory.Notifications.Publish();
        }
        return notified;
    }

    /// <summary>Counts the waiters of <paramref name="condition"/> (for diagnostics; killed waiters count until a notify skips them).</summary>
    public static int CountWaiting(SyncMemory memory, int condition)
    {
        int used = Volatile.Read(ref memory.TableUsed);
        int waiting = 0;
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
            if (Volatile.Read(ref at[0]) == Waiting && at[2] == condition)
            {
                waiting++;
            }
        }
        return waiting;
    }

    private static int FindFree(SyncMemory memory, int used)
    {
        for (int i = 0; i < used; i++)
        {
            if (Volatile.Read(ref Slot(memory, i)[0]) == Free)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Frees the first slot whose process died (waiting, or notified and never woken), and returns it.</summary>
    private static int Reclaim(SyncMemory memory, int used)
    {
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
            int state = Volatile.Read(ref at[0]);
            if (state != Free && !SharedMemoryNative.IsAlive(at[1]) && Interlocked.CompareExchange(ref at[0], Free, state) == state)
            {
                return i;
            }
        }
        return -1;
    }

    private static int* Slot(SyncMemory memory, int slot) => (int*)(memory.Table + ((long)slot * SlotSize));
}
