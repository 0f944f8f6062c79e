using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// Proof of holding an <see cref="OwnedLock"/>, returned by its <c>Acquire</c> methods; disposing it releases the
/// lock once. Use it with <c>using</c>.
/// </summary>
/// <remarks>
/// The default value holds nothing: <see cref="IsAcquired"/> is <see langword="false"/> and <see cref="Dispose"/>
/// does nothing. <see cref="Dispose"/> releases once: disposing the same scope variable again does nothing (as
/// <see cref="SemaphoreScope"/> does, and as .NET's dispose pattern asks), so a second dispose never releases a hold
/// of a <see cref="ReentrantLock"/> that belongs to an outer scope. A scope is a value: a copy made before the first
/// dispose still holds the lock, so dispose only the variable you got from <c>Acquire</c>.
/// <see cref="SemaphoreScope"/>, its counterpart for semaphores, has the same members.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public struct LockScope : IDisposable, IEquatable<LockScope>
{
    private OwnedLock? _lock;
    private readonly LockOwner? _owner;

    internal LockScope(OwnedLock @lock, LockOwner owner)
    {
        _lock = @lock;
        _owner = owner;
    }

    /// <summary>Gets a value indicating whether this scope holds its lock (false for a timed-out <c>TryAcquireAsync</c>).</summary>
    public bool IsAcquired => _lock is not null;

    /// <summary>Gets the lock this scope holds, or <see langword="null"/> when it holds none.</summary>
    public OwnedLock? Lock => _lock;

    internal LockOwner? Owner => _owner;

    /// <summary>Determines whether two scopes stand for the same acquisition.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when both hold the same lock for the same owner.</returns>
    public static bool operator ==(LockScope left, LockScope right) => left.Equals(right);

    /// <summary>Determines whether two scopes stand for different acquisitions.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> unless both hold the same lock for the same owner.</returns>
    public static bool operator !=(LockScope left, LockScope right) => !left.Equals(right);

    /// <summary>Releases the lock once.</summary>
    /// <exception cref="SynchronizationLockException">The owner of this scope no longer holds the lock (for example, the scope was disposed twice).</exception>
    public void Dispose()
    {
        // A scope around a condition wait whose re-acquire was refused releases nothing: ReleaseCore forgives it.
        Interlocked.Exchange(ref _lock, null)?.ReleaseCore(_owner!);
    }

    /// <inheritdoc/>
    public bool Equals(LockScope other) => ReferenceEquals(_lock, other._lock) && ReferenceEquals(_owner, other._owner);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LockScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_lock, _owner);

    /// <summary>Describes the scope: the lock it stands for and that lock's state now, or that it holds none.</summary>
    /// <returns>For example <c>LockScope (ExclusiveLock 'balance' (held by thread "main" (id 1)))</c> or <c>LockScope (holds nothing)</c>.</returns>
    public override string ToString() => _lock is null ? "LockScope (holds nothing)" : $"LockScope ({_lock})";
}
