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
public struct SemaphoreScope : IDisposable
{
    private SemaphoreCore? _core;

    internal SemaphoreScope(SemaphoreCore core) => _core = core;

    /// <summary>Gets a value indicating whether this scope still holds its permit (it was acquired and not yet disposed).</summary>
    public readonly bool IsAcquired => _core is not null;

    /// <summary>Releases the permit back to the semaphore, once; later calls do nothing.</summary>
    /// <exception cref="SemaphoreFullException">
    /// The semaphore is a <see cref="BoundedSemaphore"/> that is already at its initial value (someone released a
    /// permit that was never acquired).
    /// </exception>
    public void Dispose()
    {
        Interlocked.Exchange(ref _core, null)?.Release(1);
    }
}
