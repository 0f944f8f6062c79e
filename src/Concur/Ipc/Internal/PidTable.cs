namespace Concur.Ipc.Internal;

/// <summary>
/// A table of processes in shared memory, one slot <c>[pid | views]</c> per process: the processes that take part in a
/// <c>ProcessBarrier</c>, and the processes that have a named primitive open. A process joins once per view (object)
/// and leaves with each; a slot whose process no longer runs is reused.
/// </summary>
/// <remarks>Every call but <see cref="FindDead"/> and <see cref="AnyAlive"/> is made while holding the lock word that guards the table.</remarks>
internal readonly unsafe struct PidTable
{
    private const int SlotSize = 8;

    private readonly byte* _slots;
    private readonly int* _used;

    /// <summary>Uses <paramref name="capacity"/> slots at <paramref name="slots"/>, and the count of slots ever used at <paramref name="used"/>.</summary>
    public PidTable(byte* slots, int* used, int capacity)
    {
        _slots = slots;
        _used = used;
        Capacity = capacity;
    }

    /// <summary>Gets how many processes the table holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Gets the bytes <paramref name="capacity"/> slots take.</summary>
    public static int SizeOf(int capacity) => capacity * SlotSize;

    /// <summary>Counts one more view of this process.</summary>
    /// <exception cref="InvalidOperationException">The table is full of live processes.</exception>
    public void Join(string what)
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref *_used);
        int free = -1;
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(i);
            if (at[0] == self)
            {
                at[1]++;
                return;
            }
            if (free < 0 && (at[0] == 0 || !SharedMemoryNative.IsAlive(at[0])))
            {
                free = i;
            }
        }
        if (free < 0)
        {
            if (used == Capacity)
            {
                throw new InvalidOperationException($"{Capacity} processes already use this {what}, the most its shared memory holds.");
            }
            free = used;
            Volatile.Write(ref *_used, used + 1);
        }
        int* slot = Slot(free);
        slot[1] = 1;
        Volatile.Write(ref slot[0], self);
    }

    /// <summary>Counts one view of this process less; the process leaves the table with its last.</summary>
    public void Leave()
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref *_used);
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(i);
            if (at[0] == self)
            {
                if (--at[1] <= 0)
                {
                    at[1] = 0;
                    Volatile.Write(ref at[0], 0);
                }
                return;
            }
        }
    }

    /// <summary>Returns the pid of a process in the table that no longer runs, or 0 (a snapshot, read without the lock).</summary>
    public int FindDead()
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref *_used);
        for (int i = 0; i < used; i++)
        {
            int pid = Volatile.Read(ref Slot(i)[0]);
            if (pid != 0 && pid != self && !SharedMemoryNative.IsAlive(pid))
            {
                return pid;
            }
        }
        return 0;
    }

    /// <summary>Gets whether any process in the table still runs.</summary>
    public bool AnyAlive()
    {
        int used = Volatile.Read(ref *_used);
        for (int i = 0; i < used; i++)
        {
            int pid = Volatile.Read(ref Slot(i)[0]);
            if (pid != 0 && (pid == Environment.ProcessId || SharedMemoryNative.IsAlive(pid)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Removes the process <paramref name="pid"/> from the table (a dead party, once its death broke the barrier).</summary>
    public void Forget(int pid)
    {
        int used = Volatile.Read(ref *_used);
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(i);
            if (at[0] == pid)
            {
                at[1] = 0;
                Volatile.Write(ref at[0], 0);
            }
        }
    }

    private int* Slot(int slot) => (int*)(_slots + ((long)slot * SlotSize));
}
