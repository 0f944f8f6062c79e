using System.Diagnostics;

namespace Concur;

/// <summary>
/// A permit taken from a <see cref="ProcessSemaphore"/> by <see cref="ProcessSemaphore.Acquire(CancellationToken)"/>:
/// disposing it gives the permit back, once (a second dispose does nothing).
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public struct ProcessSemaphoreScope : IDisposable, IEquatable<ProcessSemaphoreScope>
{
    private ProcessSemaphore? _semaphore;

    internal ProcessSemaphoreScope(ProcessSemaphore semaphore) => _semaphore = semaphore;

    /// <summary>Gets a value indicating whether the scope still holds its permit.</summary>
    public readonly bool IsAcquired => _semaphore is not null;

    /// <summary>Gets the semaphore whose permit the scope holds, or <see langword="null"/> once released.</summary>
    public readonly ProcessSemaphore? Semaphore => _semaphore;

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns>Whether both hold a permit of the same semaphore, or neither holds one.</returns>
    public static bool operator ==(ProcessSemaphoreScope left, ProcessSemaphoreScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ProcessSemaphoreScope left, ProcessSemaphoreScope right) => !left.Equals(right);

    /// <summary>Gives the permit back, once.</summary>
    public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.ReleaseOne();

    /// <inheritdoc/>
    public readonly bool Equals(ProcessSemaphoreScope other) => ReferenceEquals(_semaphore, other._semaphore);

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is ProcessSemaphoreScope other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => _semaphore?.GetHashCode() ?? 0;

    /// <summary>Describes the scope.</summary>
    /// <returns>Whether it holds a permit, and of which semaphore.</returns>
    public override readonly string ToString() =>
        _semaphore is null ? "ProcessSemaphoreScope (holds nothing)" : $"ProcessSemaphoreScope ({_semaphore})";
}
