using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// The shared memory behind one process lock, event or semaphore: one page of anonymous shared memory (a memfd) with a
/// <see cref="RobustLockWord"/>, a <see cref="SharedSequence"/> and the primitive's own words, each on its own cache
/// line. The same two types carry the process queues, so the queues and the locks share one implementation.
/// </summary>
/// <remarks>
/// <code>
///  [magic 8 | version 4 | kind 4] ... @64 [lock word | lock waiters] ... @128 [sequence | sleepers] ... @192 [value | bound | value waiters]
/// </code>
/// Nothing in it is named in a file system: the memory lives while any process has it open or mapped, so nothing is
/// left behind whatever happens to the processes.
/// </remarks>
internal sealed class SyncMemory : IDisposable
{
    /// <summary>The size of the memory: one page.</summary>
    public const int Size = 4096;

    private const ulong Magic = 0x314C_5255_434E_4F43; // "CONCURL1"
    private const int Version = 1;
    private const int MagicOffset = 0;
    private const int VersionOffset = 8;
    private const int KindOffset = 12;
    private const int LockOffset = 64;
    private const int LockWaitersOffset = 68;
    private const int SequenceOffset = 128;
    private const int SleepersOffset = 132;
    private const int ValueOffset = 192;
    private const int BoundOffset = 196;
    private const int ValueWaitersOffset = 200;

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
    }

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
        Changes.Close();
        _mapping.Dispose();
    }

    private ObjectDisposedException Disposed() =>
        new(_typeName, $"This process has disposed of its {_typeName}; other processes can still use it through theirs.");
}
