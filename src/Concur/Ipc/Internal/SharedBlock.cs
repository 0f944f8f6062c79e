using System.Runtime.CompilerServices;
using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// The engine of <see cref="SharedValue{T}"/> and <see cref="SharedArray{T}"/>: anonymous shared memory (a memfd) with
/// a 64-byte header (what it holds, and a <see cref="RobustLockWord"/> with its <see cref="SharedSequence"/>: the same
/// lock as <c>ProcessLock</c>'s and the process queues') followed by the elements. The memory lives while any
/// process has a descriptor or a mapping of it, and nothing of it is in any file system.
/// </summary>
internal sealed unsafe class SharedBlock : IDisposable
{
    /// <summary>Where the elements start.</summary>
    public const int DataOffset = 64;

    /// <summary>The kind of a <see cref="SharedValue{T}"/>.</summary>
    public const int ValueKind = 1;

    /// <summary>The kind of a <see cref="SharedArray{T}"/>.</summary>
    public const int ArrayKind = 2;

    private const ulong Magic = 0x3142_4855_434E_4F43; // "CONCUHB1"
    private const int MagicOffset = 0;
    private const int KindOffset = 8;
    private const int ElementSizeOffset = 12;
    private const int LengthOffset = 16;
    private const int HasLockOffset = 20;
    private const int LockOffset = 32;
    private const int LockWaitersOffset = 36;
    private const int SequenceOffset = 40;
    private const int SleepersOffset = 44;

    /// <summary>How long a waiter sleeps without change before it checks whether the holder still runs.</summary>
    private const int LockSlice = 10;

    private static readonly int s_pid = Environment.ProcessId;

    private static int s_created;

    private readonly SharedMapping _mapping;
    private readonly RobustLockWord _lock;
    private readonly SharedSequence _changes;
    private volatile bool _disposed;
    private int _holderThread;

    private SharedBlock(SharedMapping mapping)
    {
        _mapping = mapping;
        Data = mapping.Address + DataOffset;
        Length = *(int*)(mapping.Address + LengthOffset);
        HasLock = *(int*)(mapping.Address + HasLockOffset) != 0;
        _lock = new RobustLockWord(mapping.Address + LockOffset, mapping.Address + LockWaitersOffset);
        _changes = new SharedSequence(mapping, SequenceOffset, SleepersOffset, "Concur shared value (lock)");
    }

    /// <summary>Gets the first element. Valid while this object is not disposed.</summary>
    public byte* Data { get; }

    /// <summary>Gets the number of elements.</summary>
    public int Length { get; }

    /// <summary>Gets a value indicating whether the block has a lock.</summary>
    public bool HasLock { get; }

    /// <summary>Gets the shared memory, which another process needs to attach.</summary>
    public SafeFileHandle Memory
    {
        get
        {
            ThrowIfDisposed();
            return _mapping.Memory;
        }
    }

    /// <summary>Gets a value indicating whether the current thread holds the lock through this object.</summary>
    public bool HeldByCurrentThread => Volatile.Read(ref _holderThread) == ThreadToken.Current;

    /// <summary>Gets the process id of the lock's holder (0 when free).</summary>
    public int LockOwner => _lock.Owner;

    /// <summary>Gets the number of threads, in every process, waiting for the lock (for tests).</summary>
    public int LockWaiters => _lock.Waiters;

    /// <summary>Gets the name the type shows in messages.</summary>
    public required string TypeName { get; init; }

    /// <summary>Creates a zero-filled block of <paramref name="length"/> elements of <paramref name="elementSize"/> bytes.</summary>
    public static SharedBlock Create(string typeName, int kind, int elementSize, int length, bool hasLock)
    {
        SharedMemoryNative.ThrowIfUnsupported(typeName, SharedMemoryNative.SharedMemoryInstead);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long size = DataOffset + (long)elementSize * length;
        string tag = kind == ValueKind ? "value" : "array";
        var mapping = SharedMapping.Create($"concur-{tag}-{Environment.ProcessId}-{Interlocked.Increment(ref s_created)}", Math.Max(size, 4096));
        byte* header = mapping.Address;
        *(int*)(header + KindOffset) = kind;
        *(int*)(header + ElementSizeOffset) = elementSize;
        *(int*)(header + LengthOffset) = length;
        *(int*)(header + HasLockOffset) = hasLock ? 1 : 0;
        Volatile.Write(ref *(ulong*)(header + MagicOffset), Magic);
        return new SharedBlock(mapping) { TypeName = typeName };
    }

    /// <summary>Attaches a block another process created (owning <paramref name="handle"/> from now on) and checks its layout.</summary>
    /// <exception cref="InvalidDataException">The memory is not a block of this kind and element size.</exception>
    public static SharedBlock Attach(string typeName, SafeFileHandle handle, int kind, int elementSize)
    {
        SharedMemoryNative.ThrowIfUnsupported(typeName, SharedMemoryNative.SharedMemoryInstead);
        var owned = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid(); // The descriptor is the mapping's now.
        var mapping = SharedMapping.Attach(owned);
        byte* header = mapping.Address;
        if (mapping.Length < DataOffset ||
            Volatile.Read(ref *(ulong*)(header + MagicOffset)) != Magic ||
            *(int*)(header + KindOffset) != kind ||
            *(int*)(header + ElementSizeOffset) != elementSize ||
            DataOffset + (long)elementSize * *(int*)(header + LengthOffset) > mapping.Length)
        {
            mapping.Dispose();
            throw new InvalidDataException(
                $"The shared memory received for a {typeName} is not one of this element type (size {elementSize}): both processes must declare the same type.");
        }
        return new SharedBlock(mapping) { TypeName = typeName };
    }

    /// <summary>Takes the lock for the current thread.</summary>
    /// <returns><see langword="false"/> when the deadline passed first.</returns>
    public bool Acquire(TimeSpan? timeout, CancellationToken cancellationToken, out bool previousOwnerDied)
    {
        if (!HasLock)
        {
            throw new InvalidOperationException(
                $"This {TypeName} was created with withLock: false (Python's RawValue/RawArray), so it has no lock.");
        }
        if (HeldByCurrentThread)
        {
            throw new LockRecursionException(
                $"The current thread holds this {TypeName}'s lock already; it is not reentrant. Read, Write, Update and Increment work inside the scope without taking it again.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        AddRef();
        previousOwnerDied = false;
        if (_lock.TryLock(s_pid))
        {
            // Uncontended: one compare-and-swap.
            Volatile.Write(ref _holderThread, ThreadToken.Current);
            return true;
        }
        var deadline = Deadline.Start(timeout);
        bool taken = false;
        try
        {
            bool stale = false;
            while (true)
            {
                ThrowIfDisposed();
                cancellationToken.ThrowIfCancellationRequested();
                int seen = _changes.Read();
                LockAttempt attempt = _lock.TryLock(s_pid, stale);
                if (attempt != LockAttempt.Busy)
                {
                    taken = true;
                    previousOwnerDied = attempt == LockAttempt.TookOver;
                    Volatile.Write(ref _holderThread, ThreadToken.Current);
                    return true;
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return false;
                }
                int milliseconds = deadline.IsInfinite ? LockSlice : Math.Min(LockSlice, deadline.RemainingMilliseconds);
                stale = !SyncOrAsync.RunSync(_lock.WaitAsync(sync: true, _changes, seen, milliseconds, cancellationToken));
            }
        }
        finally
        {
            if (!taken)
            {
                _mapping.DangerousRelease();
            }
        }
    }

    /// <summary>Takes the lock for the calling thread, waiting as long as it takes, as a scope (the public <c>Acquire()</c>).</summary>
    public SharedLockScope AcquireScope(CancellationToken cancellationToken)
    {
        Acquire(null, cancellationToken, out bool died);
        return new SharedLockScope(this, died);
    }

    /// <summary>Takes the lock within <paramref name="timeout"/> as a scope, or throws <see cref="TimeoutException"/> (the public <c>Acquire(TimeSpan)</c>).</summary>
    public SharedLockScope AcquireScope(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireScope(timeout, out SharedLockScope scope, cancellationToken) ? scope
            : throw new TimeoutException($"The lock of this {TypeName} was not free within {timeout.TotalMilliseconds:F0} ms (held by process {LockOwner}).");

    /// <summary>Tries to take the lock within <paramref name="timeout"/> as a scope (the public <c>TryAcquire</c>).</summary>
    public bool TryAcquireScope(TimeSpan timeout, out SharedLockScope scope, CancellationToken cancellationToken)
    {
        bool taken = Acquire(timeout, cancellationToken, out bool died);
        scope = taken ? new SharedLockScope(this, died) : default;
        return taken;
    }

    /// <summary>Releases the lock the current thread holds through this object.</summary>
    public void Release()
    {
        if (!HeldByCurrentThread)
        {
            throw new SynchronizationLockException($"The current thread does not hold this {TypeName}'s lock (released twice, or from another thread).");
        }
        Volatile.Write(ref _holderThread, 0);
        bool held = _lock.Unlock(s_pid, _changes);
        _mapping.DangerousRelease();
        if (!held)
        {
            throw new SynchronizationLockException(
                $"This process's hold of the {TypeName}'s lock was taken over by another process while it held it (its process id was reused, or the shared memory was written by code other than Concur's).");
        }
    }

    /// <summary>
    /// Runs a short step on the elements under the lock, unless the block has none or the current thread holds it
    /// already; the mapping stays alive for the step.
    /// </summary>
    public TResult Locked<TState, TResult>(TState state, Func<SharedBlock, TState, TResult> step)
    {
        if (!HasLock || HeldByCurrentThread)
        {
            AddRef();
            try
            {
                return step(this, state);
            }
            finally
            {
                _mapping.DangerousRelease();
            }
        }
        Acquire(null, CancellationToken.None, out _);
        try
        {
            return step(this, state);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when this process has disposed of its view.</summary>
    public void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(TypeName, $"This process has disposed of its {TypeName}; other processes can still use theirs.");
        }
    }

    /// <summary>Closes this process's view; the memory is unmapped once no call of this process uses it any more.</summary>
    public void Dispose()
    {
        _disposed = true;
        _changes.Close();
        _mapping.Dispose();
    }

    /// <summary>Holds the mapping for an operation.</summary>
    private void AddRef()
    {
        ThrowIfDisposed();
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            ThrowIfDisposed();
            throw;
        }
    }

    /// <summary>Gets a reference to element <paramref name="index"/> (unchecked) as <typeparamref name="T"/>.</summary>
    public ref T Element<T>(int index)
        where T : unmanaged => ref Unsafe.AsRef<T>(Data + (long)index * sizeof(T));
}
