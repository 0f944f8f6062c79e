using System.Diagnostics;
using Concur.Ipc.Internal;

namespace Concur;

/// <summary>
/// The lock of a <see cref="SharedValue{T}"/> or <see cref="SharedArray{T}"/>, held by the current thread until
/// <see cref="Dispose"/> (Python's <c>with value.get_lock():</c> is <c>using (value.Acquire())</c>).
/// </summary>
/// <remarks>
/// The lock belongs to the process that took it: when that process dies holding it (SIGKILL included), the next
/// process that waits for it takes it over within tens of milliseconds, and its scope says so with
/// <see cref="PreviousOwnerDied"/>, so that it can repair what the dead owner may have left half written.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct SharedLockScope : IDisposable
{
    private readonly SharedBlock? _block;

    internal SharedLockScope(SharedBlock block, bool previousOwnerDied)
    {
        _block = block;
        PreviousOwnerDied = previousOwnerDied;
    }

    /// <summary>
    /// Gets a value indicating whether the lock was taken over from a process that died holding it (as .NET's
    /// <see cref="AbandonedMutexException"/> tells): the protected values may be half updated.
    /// </summary>
    public bool PreviousOwnerDied { get; }

    /// <summary>Describes the scope.</summary>
    /// <returns>For example <c>SharedLockScope(held, previous owner died)</c>.</returns>
    public override string ToString() =>
        _block is null ? "SharedLockScope(none)" : $"SharedLockScope({(_block.HeldByCurrentThread ? "held" : "released")}{(PreviousOwnerDied ? ", previous owner died" : "")})";

    /// <summary>Releases the lock.</summary>
    /// <exception cref="SynchronizationLockException">The current thread does not hold the lock (disposed twice, or on another thread).</exception>
    public void Dispose() => _block?.Release();
}
