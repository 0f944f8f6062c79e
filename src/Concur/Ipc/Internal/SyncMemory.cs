using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// The shared memory behind one process lock, event, semaphore or barrier: 16 KiB of anonymous shared memory (a memfd)
/// with a <see cref="RobustLockWord"/>, a <see cref="SharedSequence"/> and the primitive's own words, each on its own
/// cache line, then a table (a lock's condition waiters, a barrier's parties). The same two types carry the process
/// queues, so the queues and the locks share one implementation.
/// </summary>
/// <remarks>
/// <code>
///  [magic 8 | version 4 | kind 4] ... @64 [lock word | lock waiters | holder | depth | conditions | tickets | table used]
///  @128 [sequence | sleepers] ... @192 [value | bound | value waiters | generation | broken | failed round]
///  @256 [condition sequence | sleepers] ... @512 [users of a named primitive: pid | views ...] @2560 [table ...]
/// </code>
/// Only the pages written are backed by memory (a memfd is sparse), so the table costs nothing until it is used.
/// Nothing in it is named in a file system unless the primitive was opened by name: an anonymous memory lives while
/// any process has it open or mapped, so nothing is left behind whatever happens to the processes.
/// </remarks>
internal sealed class SyncMemory : IDisposable
{
    /// <summary>The size of the memory: four pages.</summary>
    public const int Size = 16384;

    /// <summary>Where the table starts (a lock's condition waiters, a barrier's parties).</summary>
    public const int TableOffset = UsersOffset + (UsersCapacity * 8);

    /// <summary>How many processes may have a named primitive open at once.</summary>
    public const int UsersCapacity = 256;

    private const int UsersOffset = 512;

    private const ulong Magic = 0x314C_5255_434E_4F43; // "CONCURL1"
    private const int Version = 2;
    private const int MagicOffset = 0;
    private const int VersionOffset = 8;
    private const int KindOffset = 12;
    private const int LockOffset = 64;
    private const int LockWaitersOffset = 68;
    private const int HolderOffset = 72;
    private const int DepthOffset = 76;
    private const int ConditionIdsOffset = 80;
    private const int TicketsOffset = 84;
    private const int TableUsedOffset = 88;
    private const int UsersUsedOffset = 92;
    private const int RegistryOffset = 96;
    private const int RegistryWaitersOffset = 100;
    private const int SequenceOffset = 128;
    private const int SleepersOffset = 132;
    private const int ValueOffset = 192;
    private const int BoundOffset = 196;
    private const int ValueWaitersOffset = 200;
    private const int GenerationOffset = 204;
    private const int BrokenOffset = 208;
    private const int FailedRoundOffset = 212;
    private const int ConditionSequenceOffset = 256;
    private const int ConditionSleepersOffset = 260;

    private static int s_created;

    private readonly SharedMapping _mapping;
    private readonly string _typeName;
    private volatile bool _disposed;

    private unsafe SyncMemory(SharedMapping mapping, string typeName)
    {
        _mapping = mapping;
        _typeName = typeName;
        Changes = new SharedSequence(mapping, SequenceOffset, SleepersOffset, $"Concur {typeName} (async waits)");
        Lock = new RobustLockWord(mapping.Address + LockOffset, mapping.Address + LockWaitersOffset);
        Notifications = new SharedSequence(mapping, ConditionSequenceOffset, ConditionSleepersOffset, $"Concur {typeName} (async condition waits)");
        Registry = new RobustLockWord(mapping.Address + RegistryOffset, mapping.Address + RegistryWaitersOffset);
    }

    /// <summary>Gets the lock word that guards <see cref="Users"/>.</summary>
    public RobustLockWord Registry { get; }

    /// <summary>Gets the processes that have this named primitive open.</summary>
    public unsafe PidTable Users => new(_mapping.Address + UsersOffset, (int*)(_mapping.Address + UsersUsedOffset), UsersCapacity);

    /// <summary>Gets the processes that take part in a barrier (the table).</summary>
    public unsafe PidTable Parties => new(Table, (int*)(_mapping.Address + TableUsedOffset), (Size - TableOffset) / 8);

    /// <summary>Gets the name in <c>/dev/shm</c> of a primitive opened by name, or <see langword="null"/>.</summary>
    public string? Name { get; private init; }

    /// <summary>Gets the sequence that condition waiters and barrier parties sleep on (a notify, a round's end).</summary>
    public SharedSequence Notifications { get; }

    /// <summary>Gets the change sequence every waiter sleeps on.</summary>
    public SharedSequence Changes { get; }

    /// <summary>Gets the lock word (the lock of a <see cref="ProcessLock"/>; unused by the others).</summary>
    public RobustLockWord Lock { get; }

    /// <summary>Gets what the creator recorded about the primitive's kind (<see cref="SyncKinds"/>).</summary>
    public unsafe int Kind => Volatile.Read(ref *(int*)(_mapping.Address + KindOffset));

    /// <summary>Gets the name the memory shows as (<c>memfd:&lt;name&gt;</c>) in <c>/proc/&lt;pid&gt;/fd</c>, in the creating process.</summary>
    public string? MemoryName { get; private init; }

    /// <summary>Gets the shared memory, which another process needs to attach.</summary>
    public SafeFileHandle Memory => _mapping.Memory;

    /// <summary>Gets a value indicating whether this process disposed of its view.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Gets the primitive's value word (an event's state, a semaphore's count).</summary>
    public unsafe ref int Value => ref *(int*)(_mapping.Address + ValueOffset);

    /// <summary>Gets the primitive's bound word (a bounded semaphore's most count), fixed at creation.</summary>
    public unsafe ref int Bound => ref *(int*)(_mapping.Address + BoundOffset);

    /// <summary>Gets the count of waiters on the value word.</summary>
    public unsafe ref int ValueWaiters => ref *(int*)(_mapping.Address + ValueWaitersOffset);

    /// <summary>Gets the word that names the lock's holder within its process (a managed thread id, or a negative asynchronous owner).</summary>
    public unsafe ref int Holder => ref *(int*)(_mapping.Address + HolderOffset);

    /// <summary>Gets how many times the holder holds the lock (a reentrant lock's recursion count).</summary>
    public unsafe ref int Depth => ref *(int*)(_mapping.Address + DepthOffset);

    /// <summary>Gets the count of conditions made over the lock (each condition's id is the count when it was made).</summary>
    public unsafe ref int ConditionIds => ref *(int*)(_mapping.Address + ConditionIdsOffset);

    /// <summary>Gets the count of condition waits begun on the lock (the order in which notifies serve them).</summary>
    public unsafe ref int Tickets => ref *(int*)(_mapping.Address + TicketsOffset);

    /// <summary>Gets how many slots of the table were ever used (the part a scan reads, so untouched pages stay unbacked).</summary>
    public unsafe ref int TableUsed => ref *(int*)(_mapping.Address + TableUsedOffset);

    /// <summary>Gets a barrier's round number.</summary>
    public unsafe ref int Generation => ref *(int*)(_mapping.Address + GenerationOffset);

    /// <summary>Gets whether a barrier is broken (1) or not (0).</summary>
    public unsafe ref int Broken => ref *(int*)(_mapping.Address + BrokenOffset);

    /// <summary>Gets the last barrier round that broke or was reset.</summary>
    public unsafe ref int FailedRound => ref *(int*)(_mapping.Address + FailedRoundOffset);

    /// <summary>Gets the first byte of the table; valid while a use (<see cref="BeginUse"/>) is held.</summary>
    public unsafe byte* Table => _mapping.Address + TableOffset;

    /// <summary>Creates the memory of a new primitive of <paramref name="kind"/>.</summary>
    /// <param name="kind">The kind (<see cref="SyncKinds"/>).</param>
    /// <param name="typeName">The public type's name, for messages and the memory's name.</param>
    /// <param name="value">The first value of the value word.</param>
    /// <param name="bound">The bound word.</param>
    public static unsafe SyncMemory Create(int kind, string typeName, int value = 0, int bound = 0)
    {
        SharedMemoryNative.ThrowIfUnsupported($"A {typeName}");
        string name = $"concur-{typeName.ToLowerInvariant()}-{Environment.ProcessId}-{Interlocked.Increment(ref s_created)}";
        var mapping = SharedMapping.Create(name, Size);
        byte* at = mapping.Address;
        *(int*)(at + VersionOffset) = Version;
        *(int*)(at + KindOffset) = kind;
        *(int*)(at + ValueOffset) = value;
        *(int*)(at + BoundOffset) = bound;
        Volatile.Write(ref *(ulong*)(at + MagicOffset), Magic);
        return new SyncMemory(mapping, typeName) { MemoryName = name };
    }

    /// <summary>Attaches to the memory of a primitive another process created, from a received descriptor (owned from the call on).</summary>
    /// <param name="handle">The received descriptor; its descriptor moves into the mapping.</param>
    /// <param name="kind">The kind expected.</param>
    /// <param name="typeName">The public type's name, for messages.</param>
    /// <exception cref="InvalidDataException">The memory is not a primitive of <paramref name="kind"/> of this version.</exception>
    public static unsafe SyncMemory Attach(SafeFileHandle handle, int kind, string typeName)
    {
        SharedMemoryNative.ThrowIfUnsupported($"A {typeName}");
        var owned = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid(); // The descriptor is the mapping's now.
        var mapping = SharedMapping.Attach(owned);
        byte* at = mapping.Address;
        if (mapping.Length != Size || Volatile.Read(ref *(ulong*)(at + MagicOffset)) != Magic ||
            *(int*)(at + VersionOffset) != Version || *(int*)(at + KindOffset) != kind)
        {
            mapping.Dispose();
            throw new InvalidDataException(
                $"The shared memory received for a {typeName} is not one of this version of Concur: every process must use the same Concur.dll.");
        }
        return new SyncMemory(mapping, typeName);
    }

    /// <summary>Takes a reference to the mapping, so a concurrent dispose cannot unmap it under the caller; <see cref="EndUse"/> gives it back.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of its view.</exception>
    public void BeginUse()
    {
        if (_disposed)
        {
            throw Disposed();
        }
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw Disposed();
        }
    }

    /// <summary>Takes a reference to the mapping as <see cref="BeginUse"/> does, or returns <see langword="false"/> when this process disposed of its view.</summary>
    public bool TryBeginUse()
    {
        if (_disposed)
        {
            return false;
        }
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
            return added;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Gives back a reference <see cref="BeginUse"/> took.</summary>
    public void EndUse() => _mapping.DangerousRelease();

    /// <summary>Throws <see cref="ObjectDisposedException"/> when this process disposed of its view.</summary>
    public void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw Disposed();
        }
    }

    /// <summary>
    /// Waits until the change sequence differs from <paramref name="seen"/>, at most <paramref name="slice"/>
    /// milliseconds and no later than <paramref name="deadline"/>; returns whether it changed.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of its view meanwhile.</exception>
    public async ValueTask<bool> WaitForChangeAsync(bool sync, int seen, int slice, Deadline deadline, CancellationToken cancellationToken)
    {
        int milliseconds = deadline.IsInfinite ? slice : Math.Min(slice, deadline.RemainingMilliseconds);
        bool changed = await Changes.WaitAsync(sync, seen, milliseconds, cancellationToken).ConfigureAwait(false);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return changed;
    }

    /// <summary>
    /// Waits until the notification sequence differs from <paramref name="seen"/>, at most <paramref name="slice"/>
    /// milliseconds and no later than <paramref name="deadline"/>; returns whether it changed.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of its view meanwhile.</exception>
    public async ValueTask<bool> WaitForNotificationAsync(bool sync, int seen, int slice, Deadline deadline, CancellationToken cancellationToken)
    {
        int milliseconds = deadline.IsInfinite ? slice : Math.Min(slice, deadline.RemainingMilliseconds);
        bool changed = await Notifications.WaitAsync(sync, seen, milliseconds, cancellationToken).ConfigureAwait(false);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return changed;
    }

    /// <summary>Waits one slice for the lock word to change hands; returns whether anything changed.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of its view meanwhile.</exception>
    public async ValueTask<bool> WaitForLockAsync(bool sync, int seen, int slice, Deadline deadline, CancellationToken cancellationToken)
    {
        int milliseconds = deadline.IsInfinite ? slice : Math.Min(slice, deadline.RemainingMilliseconds);
        bool changed = await Lock.WaitAsync(sync, Changes, seen, milliseconds, cancellationToken).ConfigureAwait(false);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return changed;
    }

    /// <summary>Closes this process's view: blocked calls of this process end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (Name is not null)
        {
            LeaveName();
        }
        Changes.Close();
        Notifications.Close();
        _mapping.Dispose();
    }

    /// <summary>
    /// Opens the named primitive <c>/dev/shm/&lt;name&gt;</c> of <paramref name="kind"/>, or creates it with
    /// <paramref name="value"/> and <paramref name="bound"/> (then <paramref name="initialize"/>) when there is none, and
    /// counts this process among its users: the last user to dispose of it removes the name.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="InvalidDataException">The name is something else (another kind, another program's memory).</exception>
    public static unsafe SyncMemory OpenOrCreate(string name, int kind, string typeName, int value = 0, int bound = 0, Action<SyncMemory>? initialize = null)
    {
        SharedMemoryNative.ThrowIfUnsupported($"A {typeName}");
        string bare = CheckName(name);
        long giveUp = Environment.TickCount64 + 5000;
        while (true)
        {
            bool created = false;
            SafeFileHandle handle;
            try
            {
                handle = SharedMemoryNative.OpenNamed(bare, create: true, Size);
                created = true;
            }
            catch (IOException e) when (e.HResult == unchecked((int)0x80070050)) // It exists: open it.
            {
                try
                {
                    handle = SharedMemoryNative.OpenNamed(bare, create: false, 0);
                }
                catch (FileNotFoundException)
                {
                    continue; // Its last user removed it meanwhile: create it.
                }
            }
            if (!created && !WaitForSize(handle, giveUp))
            {
                handle.Dispose();
                throw NotOurs(bare, typeName, "it is not the size of one");
            }
            var mapping = SharedMapping.Attach(handle);
            byte* at = mapping.Address;
            if (created)
            {
                *(int*)(at + VersionOffset) = Version;
                *(int*)(at + KindOffset) = kind;
                *(int*)(at + ValueOffset) = value;
                *(int*)(at + BoundOffset) = bound;
            }
            var memory = new SyncMemory(mapping, typeName) { MemoryName = bare, Name = bare };
            if (created)
            {
                initialize?.Invoke(memory);
                Volatile.Write(ref *(ulong*)(at + MagicOffset), Magic);
            }
            else
            {
                while (Volatile.Read(ref *(ulong*)(at + MagicOffset)) != Magic && Environment.TickCount64 < giveUp)
                {
                    Thread.Sleep(1); // Its creator is writing the header: microseconds.
                }
                if (Volatile.Read(ref *(ulong*)(at + MagicOffset)) != Magic || *(int*)(at + VersionOffset) != Version || *(int*)(at + KindOffset) != kind)
                {
                    mapping.Dispose();
                    throw NotOurs(bare, typeName, "its header says otherwise");
                }
            }
            memory.Hold(memory.Registry);
            try
            {
                memory.Users.Join(typeName);
            }
            finally
            {
                memory.Unhold(memory.Registry);
            }
            if (memory.NameIsOurs())
            {
                return memory;
            }
            // The last user removed the name between our open and our joining: leave, and open or create it anew.
            memory.Hold(memory.Registry);
            memory.Users.Leave();
            memory.Unhold(memory.Registry);
            memory._disposed = true;
            memory.Changes.Close();
            memory.Notifications.Close();
            mapping.Dispose();
        }
    }

    /// <summary>Takes <paramref name="word"/> (held for a few writes; taken over from a dead holder), blocking.</summary>
    public void Hold(RobustLockWord word)
    {
        int pid = Environment.ProcessId;
        bool stale = false;
        while (true)
        {
            int seen = Changes.Read();
            if (word.TryLock(pid, stale) != LockAttempt.Busy)
            {
                return;
            }
            stale = !SyncOrAsync.RunSync(word.WaitAsync(sync: true, Changes, seen, 10, CancellationToken.None));
        }
    }

    /// <summary>Releases <paramref name="word"/>, which <see cref="Hold"/> took.</summary>
    public void Unhold(RobustLockWord word) => word.Unlock(Environment.ProcessId, Changes);

    /// <summary>Leaves the users of a named primitive; the last live one removes the name, if it is still this memory's.</summary>
    private void LeaveName()
    {
        Hold(Registry);
        try
        {
            var users = Users;
            users.Leave();
            if (!users.AnyAlive() && NameIsOurs())
            {
                SharedMemoryNative.UnlinkNamed(Name!);
            }
        }
        finally
        {
            Unhold(Registry);
        }
    }

    /// <summary>Whether <c>/dev/shm/&lt;name&gt;</c> is still this memory (not removed, nor made anew by another process).</summary>
    private bool NameIsOurs()
    {
        string? target = new FileInfo($"/proc/self/fd/{_mapping.Memory.DangerousGetHandle()}").LinkTarget;
        return target == SharedMemoryNative.NamedFolder + "/" + Name;
    }

    private static bool WaitForSize(SafeFileHandle handle, long giveUp)
    {
        while (true)
        {
            long length = RandomAccess.GetLength(handle);
            if (length == Size)
            {
                return true;
            }
            if (length != 0 || Environment.TickCount64 > giveUp)
            {
                return false;
            }
            Thread.Sleep(1); // Its creator is sizing it: microseconds.
        }
    }

    private static InvalidDataException NotOurs(string name, string typeName, string why) =>
        new($"The shared memory named '{name}' ({SharedMemoryNative.NamedFolder}/{name}) is not a {typeName} of this version of Concur ({why}): choose another name, or remove it if no program uses it.");

    /// <summary>Checks a name as <see cref="SharedMemory"/> does: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</summary>
    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string bare = name.StartsWith('/') ? name[1..] : name;
        if (bare.Length is 0 or > 200 || bare is "." or ".." ||
            !bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException(
                $"'{name}' is not a name for a process lock, event, semaphore, condition or barrier: use letters, digits, '_', '-' and '.', at most 200.", nameof(name));
        }
        return bare;
    }

    private ObjectDisposedException Disposed() =>
        new(_typeName, $"This process has disposed of its {_typeName}; other processes can still use it through theirs.");
}
