using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// One permit acquired from a <see cref="CountingSemaphore"/> or a <see cref="BoundedSemaphore"/>; disposing the scope
/// releases the permit. Meant for <c>using</c>, like Python's <c>with semaphore:</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Dispose"/> releases once: disposing the same scope variable again does nothing. A <c>default</c> scope
/// holds no permit and its <see cref="Dispose"/> does nothing. The scope is a struct so that acquiring allocates
/// nothing; a copy of a scope that has not been disposed yet still holds the permit, so dispose only the variable
/// you got from <c>Acquire</c>, once.
/// </para>
/// <para>Semaphores have no owner: the scope may be disposed on any thread, also after an <c>await</c>.</para>
/// <para>
/// It has the members of <see cref="LockScope"/>, its counterpart for locks: <see cref="IsAcquired"/>, the primitive
/// it holds (<see cref="Semaphore"/>, as <see cref="LockScope.Lock"/>), equality and <see cref="Dispose"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var slots = new CountingSemaphore(3);
/// using (slots.Acquire())
/// {
///     // at most three threads run here at the same time
/// }
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public struct SemaphoreScope : IDisposable, IEquatable<SemaphoreScope>
{
    private SemaphoreCore? _core;

    internal SemaphoreScope(SemaphoreCore core) => _core = core;

    /// <summary>Gets a value indicating whether this scope still holds its permit (it was acquired and not yet disposed).</summary>
    public readonly bool IsAcquired => _core is not null;

    /// <summary>Gets the semaphore this scope holds a permit of, or <see langword="null"/> when it holds none (a <c>default</c> or disposed scope).</summary>
    public readonly CountingSemaphore? Semaphore => _core?.Semaphore;

    /// <summary>Determines whether two scopes hold a permit of the same semaphore (or both hold none).</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when both hold a permit of the same semaphore, or neither holds one.</returns>
    /// <remarks>Permits have no identity: two acquisitions from one semaphore give equal scopes.</remarks>
    public static bool operator ==(SemaphoreScope left, SemaphoreScope right) => left.Equals(right);

    /// <summary>Determines whether two scopes differ in the semaphore they hold a permit of.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> unless both hold a permit of the same semaphore, or neither holds one.</returns>
    public static bool operator !=(SemaphoreScope left, SemaphoreScope right) => !left.Equals(right);

    /// <summary>Releases the permit back to the semaphore, once; later calls do nothing.</summary>
    /// <exception cref="SemaphoreFullException">
    /// The semaphore is a <see cref="BoundedSemaphore"/> that is already at its initial value (someone released a
    /// permit that was never acquired).
    /// </exception>
    public void Dispose()
    {
        Interlocked.Exchange(ref _core, null)?.Release(1);
    }

    /// <inheritdoc/>
    public readonly bool Equals(SemaphoreScope other) => ReferenceEquals(_core, other._core);

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is SemaphoreScope other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => _core?.GetHashCode() ?? 0;

    /// <summary>Describes the scope: the semaphore it holds a permit of, or that it holds none.</summary>
    /// <returns>For example <c>SemaphoreScope (CountingSemaphore 'downloads' (count 1))</c> or <c>SemaphoreScope (holds nothing)</c>.</returns>
    public override readonly string ToString() =>
        _core is { } core ? $"SemaphoreScope ({core})" : "SemaphoreScope (holds nothing)";
}
