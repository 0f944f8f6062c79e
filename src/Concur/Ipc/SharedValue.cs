using System.Diagnostics;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// One value of an unmanaged type in shared memory, seen by every process it is passed to, with an optional lock
/// (Python's <c>multiprocessing.Value(typecode, value, lock=True)</c>; with <c>withLock: false</c>, <c>RawValue</c>).
/// </summary>
/// <remarks>
/// <para>
/// Capture it in a <see cref="ChildProcess"/> lambda or a pool task, pass it as an argument or keep it in a field of a
/// <see cref="ChildProcess"/> subclass: it arrives as a view of the same memory (an anonymous memfd passed by
/// handle). Keep it open here until the receiver has it. The memory is in no file system and lives while any process
/// has a view of it, so nothing is left behind, even when every process is killed.
/// </para>
/// <para>
/// <see cref="Read"/>, <see cref="Write"/>, <see cref="Update"/> and <c>Increment</c> take the lock for one step
/// (not when the current thread holds it already, inside <see cref="Acquire(CancellationToken)"/>'s scope);
/// <see cref="Value"/> is the value itself, unguarded. A lock whose holder dies is taken over by the next waiter, told
/// by <see cref="SharedLockScope.PreviousOwnerDied"/>.
/// </para>
/// </remarks>
/// <typeparam name="T">An unmanaged type: <see cref="int"/>, <see cref="double"/>, a struct of such fields.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
public sealed unsafe class SharedValue<T> : IDisposable, IPassedByHandle<SharedValue<T>>
    where T : unmanaged
{
    private readonly SharedBlock _block;

    /// <summary>Creates the value in new shared memory.</summary>
    /// <param name="value">The initial value.</param>
    /// <param name="withLock">Whether the value has a lock (Python's <c>lock=True</c>, the default).</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public SharedValue(T value = default, bool withLock = true)
    {
        _block = SharedBlock.Create(Name, SharedBlock.ValueKind, sizeof(T), 1, withLock);
        _block.Element<T>(0) = value;
    }

    private SharedValue(SharedBlock block) => _block = block;

    /// <summary>Gets a value indicating whether the value has a lock.</summary>
    public bool HasLock => _block.HasLock;

    /// <summary>
    /// Gets the value itself in shared memory, unguarded (Python's <c>.value</c> of a <c>RawValue</c>): use it inside
    /// <see cref="Acquire(CancellationToken)"/>'s scope, as in <c>using (v.Acquire()) { v.Value++; }</c>. The reference
    /// is valid until this object is disposed.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public ref T Value
    {
        get
        {
            _block.ThrowIfDisposed();
            return ref _block.Element<T>(0);
        }
    }

    private static string Name => $"SharedValue<{typeof(T).Name}>";

    /// <summary>Reads the value under the lock (Python's <c>v.value</c>).</summary>
    /// <returns>The value.</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public T Read() => _block.Locked(0, static (block, _) => block.Element<T>(0));

    /// <summary>Writes the value under the lock (Python's <c>v.value = x</c>).</summary>
    /// <param name="value">The new value.</param>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public void Write(T value) => _block.Locked(value, static (block, v) => block.Element<T>(0) = v);

    /// <summary>Replaces the value with <paramref name="update"/>(value) under the lock, atomically for every process that uses the lock.</summary>
    /// <param name="update">Computes the new value from the old one; keep it short, other processes wait.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the value.</exception>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _block.Locked(update, static (block, f) => block.Element<T>(0) = f(block.Element<T>(0)));
    }

    /// <summary>Takes the value's lock, waiting as long as it takes (Python's <c>with v.get_lock():</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="InvalidOperationException">The value has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public SharedLockScope Acquire(CancellationToken cancellationToken = default) => _block.AcquireScope(cancellationToken);

    /// <summary>Takes the value's lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="TimeoutException">The lock was not free within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The value has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public SharedLockScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _block.AcquireScope(timeout, cancellationToken);

    /// <summary>Tries to take the value's lock within <paramref name="timeout"/> (Python's <c>get_lock().acquire(timeout=t)</c>).</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> only tries.</param>
    /// <param name="scope">The held lock when the call returns <see langword="true"/>; dispose it to release.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the lock was taken.</returns>
    /// <exception cref="InvalidOperationException">The value has no lock.</exception>
    /// <exception cref="LockRecursionException">The current thread holds the lock already.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool TryAcquire(TimeSpan timeout, out SharedLockScope scope, CancellationToken cancellationToken = default) =>
        _block.TryAcquireScope(timeout, out scope, cancellationToken);

    /// <summary>Closes this process's view of the value; the other processes keep theirs.</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        _block.Dispose();
    }

    /// <summary>Describes the value.</summary>
    /// <returns>For example <c>SharedValue&lt;Int32&gt;(5)</c>, read without the lock.</returns>
    public override string ToString()
    {
        try
        {
            return $"{Name}({Value})";
        }
        catch (ObjectDisposedException)
        {
            return $"{Name}(disposed)";
        }
    }

    /// <summary>Gets the shared memory.</summary>
    SafeHandle IPassedByHandle<SharedValue<T>>.TransferHandle => _block.Memory;

    /// <summary>Gets no state: the memory's header says what it holds.</summary>
    byte[] IPassedByHandle<SharedValue<T>>.TransferState => [];

    /// <summary>Maps the received shared memory as the value.</summary>
    static SharedValue<T> IPassedByHandle<SharedValue<T>>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SharedBlock.Attach(Name, handle, SharedBlock.ValueKind, sizeof(T)));

    /// <summary>Gets the engine, for the extensions and tests.</summary>
    internal SharedBlock Block => _block;
}
