using System.Diagnostics;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A fixed-length array of an unmanaged type in shared memory, seen by every process it is passed to, with an optional
/// lock (Python's <c>multiprocessing.Array(typecode, size_or_initializer, lock=True)</c>; with
/// <c>withLock: false</c>, <c>RawArray</c>).
/// </summary>
/// <remarks>
/// It travels to children and pool tasks as <see cref="SharedValue{T}"/> does (captured, as an argument, in a field),
/// by handle, and lives while any process has a view of it; nothing of it is in any file system.
/// <see cref="Read"/>, <see cref="Write"/>, <see cref="ToArray"/> and <see cref="CopyFrom"/> take the lock for one
/// step (not when the current thread holds it already); <see cref="Span"/> and the indexer are unguarded.
/// </remarks>
/// <typeparam name="T">An unmanaged type.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
public sealed unsafe class SharedArray<T> : IDisposable, IPassedByHandle<SharedArray<T>>
    where T : unmanaged
{
    private readonly SharedBlock _block;

    /// <summary>Creates an array of <paramref name="length"/> zeros in new shared memory (Python's <c>Array('i', 10)</c>).</summary>
    /// <param name="length">The number of elements.</param>
    /// <param name="withLock">Whether the array has a lock (Python's <c>lock=True</c>, the default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public SharedArray(int length, bool withLock = true) =>
        _block = SharedBlock.Create(Name, SharedBlock.ArrayKind, sizeof(T), length, withLock);

    /// <summary>Creates an array holding a copy of <paramref name="values"/> in new shared memory (Python's <c>Array('i', [1, 2, 3])</c>).</summary>
    /// <param name="values">The initial elements.</param>
    /// <param name="withLock">Whether the array has a lock.</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public SharedArray(ReadOnlySpan<T> values, bool withLock = true)
        : this(values.Length, withLock) => values.CopyTo(Span);

    private SharedArray(SharedBlock block) => _block = block;

    /// <summary>Gets the number of elements (Python's <c>len(a)</c>).</summary>
    public int Length => _block.Length;

    /// <summary>Gets a value indicating whether the array has a lock.</summary>
    public bool HasLock => _block.HasLock;

    /// <summary>Gets the elements in shared memory, unguarded; valid until this object is disposed.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the array.</exception>
    public Span<T> Span
    {
        get
        {
            _block.ThrowIfDisposed();
            return new Span<T>(_block.Data, _block.Length);
        }
    }

    private static string Name => $"SharedArray<{typeof(T).Name}>";

    /// <summary>Gets element <paramref name="index"/> in shared memory, unguarded (Python's <c>a[i]</c> of a <c>RawArray</c>).</summary>
    /// <param name="index">The index.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the array.</exception>
    public ref T this[int index] => ref Span[index];

    /// <summary>Reads element <paramref name="index"/> under the lock.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The element.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public T Read(int index)
    {
        CheckIndex(index);
        return _block.Locked(index, static (block, i) => block.Element<T>(i));
    }

    /// <summary>Writes element <paramref name="index"/> under the lock.</summary>
    /// <param name="index">The index.</param>
    /// <param name="value">The new element.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public void Write(int index, T value)
    {
        CheckIndex(index);
        _block.Locked((index, value), static (block, s) => block.Element<T>(s.index) = s.value);
    }

    /// <summary>Copies every element out under the lock, as one consistent snapshot (Python's <c>a[:]</c>).</summary>
    /// <returns>A new array.</returns>
    public T[] ToArray() => _block.Locked(0, static (block, _) => new ReadOnlySpan<T>(block.Data, block.Length).ToArray());

    /// <summary>Copies <paramref name="values"/> into the first elements under the lock, as one step (Python's <c>a[:n] = values</c>).</summary>
    /// <param name="values">At most <see cref="Length"/> elements.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> is longer than the array.</exception>
    public void CopyFrom(ReadOnlySpan<T> values)
    {
        if (values.Length > Length)
        {
            throw new ArgumentException($"{values.Length} elements do not fit in this {Name} of {Length}.", nameof(values));
        }
        fixed (T* source = values)
        {
            _block.Locked(((nint)source, values.Length), static (block, s) =>
            {
                new ReadOnlySpan<T>((T*)s.Item1, s.Item2).CopyTo(new Span<T>(block.Data, block.Length));
                return 0;
            });
        }
    }

    /// <summary>Takes the array's lock, waiting as long as it takes (Python's <c>with a.get_lock():</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="InvalidOperationException">The array has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public SharedLockScope Acquire(CancellationToken cancellationToken = default) => _block.AcquireScope(cancellationToken);

    /// <summary>Takes the array's lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="TimeoutException">The lock was not free within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The array has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public SharedLockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _block.AcquireScope(timeout, cancellationToken);

    /// <summary>Tries to take the array's lock within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> only tries.</param>
    /// <param name="scope">The held lock when the call returns <see langword="true"/>; dispose it to release.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the lock was taken.</returns>
    /// <exception cref="InvalidOperationException">The array has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool TryAcquire(TimeSpan timeout, out SharedLockScope scope, CancellationToken cancellationToken = default) =>
        _block.TryAcquireScope(timeout, out scope, cancellationToken);

    /// <summary>Closes this process's view of the array; the other processes keep theirs.</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        _block.Dispose();
    }

    /// <summary>Describes the array.</summary>
    /// <returns>For example <c>SharedArray&lt;Int32&gt;(Length=10)</c>.</returns>
    public override string ToString() => $"{Name}(Length={Length})";

    /// <summary>Gets the shared memory.</summary>
    SafeHandle IPassedByHandle<SharedArray<T>>.TransferHandle => _block.Memory;

    /// <summary>Gets no state: the memory's header says what it holds.</summary>
    byte[] IPassedByHandle<SharedArray<T>>.TransferState => [];

    /// <summary>Maps the received shared memory as the array.</summary>
    static SharedArray<T> IPassedByHandle<SharedArray<T>>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SharedBlock.Attach(Name, handle, SharedBlock.ArrayKind, sizeof(T)));

    private void CheckIndex(int index) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Length, nameof(index));
}
