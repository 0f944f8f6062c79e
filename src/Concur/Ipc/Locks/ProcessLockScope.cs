using System.Diagnostics;

namespace Concur;

/// <summary>
/// Proof of holding a <see cref="ProcessLock"/> or a <see cref="ProcessReentrantLock"/>, returned by its <c>Acquire</c> methods; disposing it releases the
/// lock once. Use it with <c>using</c>. <see cref="PreviousOwnerDied"/> tells whether the lock was taken over from a
/// process that died holding it, so that the holder can repair what it protects.
/// </summary>
/// <remarks>
/// As <see cref="LockScope"/>: the default value holds nothing, <see cref="Dispose"/> releases once, and a copy made
/// before the first dispose still holds the lock, so dispose only the variable you got from <c>Acquire</c>.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public struct ProcessLockScope : IDisposable, IEquatable<ProcessLockScope>
{
    private readonly int _owner;
    private ProcessOwnedLock? _lock;

    internal ProcessLockScope(ProcessOwnedLock @lock, int owner, bool previousOwnerDied)
    {
        _lock = @lock;
        _owner = owner;
        PreviousOwnerDied = previousOwnerDied;
    }

    /// <summary>Gets a value indicating whether this scope holds its lock (false for a timed-out <c>TryAcquireAsync</c>).</summary>
    public readonly bool IsAcquired => _lock is not null;

    /// <summary>Gets the lock this scope holds, or <see langword="null"/> when it holds none.</summary>
    public readonly ProcessOwnedLock? Lock => _lock;

    /// <summary>
    /// Gets a value indicating whether the process that held the lock before died holding it (killed, crashed, or
    /// exited without releasing): what the lock protects may be half-updated, and this holder should repair it.
    /// </summary>
    public readonly bool PreviousOwnerDied { get; }

    /// <summary>Determines whether two scopes stand for the same acquisition.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when both hold the same lock for the same owner.</returns>
    public static bool operator ==(ProcessLockScope left, ProcessLockScope right) => left.Equals(right);

    /// <summary>Determines whether two scopes stand for different acquisitions.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> unless both hold the same lock for the same owner.</returns>
    public static bool operator !=(ProcessLockScope left, ProcessLockScope right) => !left.Equals(right);

    /// <summary>Releases the lock once; later calls do nothing.</summary>
    /// <exception cref="SynchronizationLockException">The owner of this scope no longer holds the lock.</exception>
    public void Dispose() => Interlocked.Exchange(ref _lock, null)?.ReleaseCore(_owner);

    /// <inheritdoc/>
    public readonly bool Equals(ProcessLockScope other) => ReferenceEquals(_lock, other._lock) && _owner == other._owner;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is ProcessLockScope other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_lock, _owner);

    /// <summary>Gets who owns the hold: a thread's <c>ThreadToken</c>, or a negative asynchronous owner.</summary>
    internal readonly int Owner => _owner;

    /// <summary>Describes the scope: the lock it stands for, or that it holds none.</summary>
    /// <returns>For example <c>ProcessLockScope (ProcessLock (held by process 1234), previous owner died)</c>.</returns>
    public override readonly string ToString() =>
        _lock is null ? "ProcessLockScope (holds nothing)" : $"ProcessLockScope ({_lock}{(PreviousOwnerDied ? ", previous owner died" : "")})";
}
