namespace Concur.Ipc.Internal;

/// <summary>
/// The processes that take part in a <c>ProcessBarrier</c>, in its shared memory (<see cref="SyncMemory.Table"/>): one
/// slot per process, <c>[pid | views]</c>, from its first wait until it disposed of every view of the barrier it waited
/// through. A waiter looks through it every slice and breaks the barrier when a party's process no longer runs.
/// </summary>
/// <remarks>Every call but <see cref="FindDead"/> is made while holding the barrier's lock word and a use of the memory.</remarks>
internal static unsafe class BarrierParties
{
    private const int SlotSize = 8;

    /// <summary>Gets how many processes may take part in one barrier.</summary>
    public static int Capacity => (SyncMemory.Size - SyncMemory.TableOffset) / SlotSize;

    /// <summary>Counts one more view of this process as taking part.</summary>
    /// <exception cref="InvalidOperationException">The table is full of live processes.</exception>
    public static void Join(SyncMemory memory)
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref memory.TableUsed);
        int free = -1;
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
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
                throw new InvalidOperationException($"{Capacity} processes already take part in this barrier, the most its shared memory holds.");
            }
            free = used;
            Volatile.Write(ref memory.TableUsed, used + 1);
        }
        int* slot = Slot(memory, free);
        slot[1] = 1;
        Volatile.Write(ref slot[0], self);
    }

    /// <summary>Counts one view of this process less; the process stops taking part with its last.</summary>
    public static void Leave(SyncMemory memory)
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref memory.TableUsed);
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
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

    /// <summary>Returns the pid of a party whose process no longer runs, or 0 (read without the lock: a snapshot).</summary>
    public static int FindDead(SyncMemory memory)
    {
        int self = Environment.ProcessId;
        int used = Volatile.Read(ref memory.TableUsed);
        for (int i = 0; i < used; i++)
        {
            int pid = Volatile.Read(ref Slot(memory, i)[0]);
            if (pid != 0 && pid != self && !SharedMemoryNative.IsAlive(pid))
            {
                return pid;
            }
        }
        return 0;
    }

    /// <summary>Removes the dead process <paramref name="pid"/> from the parties (once its death broke the barrier).</summary>
    public static void Forget(SyncMemory memory, int pid)
    {
        int used = Volatile.Read(ref memory.TableUsed);
        for (int i = 0; i < used; i++)
        {
            int* at = Slot(memory, i);
            if (at[0] == pid)
            {
                at[1] = 0;
                Volatile.Write(ref at[0], 0);
            }
        }
    }

    private static int* Slot(SyncMemory memory, int slot) => (int*)(memory.Table + ((long)slot * SlotSize));
}
