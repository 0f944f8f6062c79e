namespace Concur.Threading.Internal;

/// <summary>
/// The record of one <see cref="Condition"/> wait whose re-acquire of the lock was refused because its thread was
/// chosen as a deadlock victim: the wait threw <see cref="DeadlockException"/> without the lock, so the
/// <see cref="LockScope"/>s (and matching <c>Release</c> calls) around the wait have nothing to release.
/// </summary>
/// <remarks>
/// The condition's wait creates it and hands it to the lock (<see cref="OwnedLock"/> keeps a short list of them,
/// under its gate); each release by <see cref="Owner"/> that finds the lock not held by it is forgiven once, until
/// <see cref="ReleasesLeft"/> reaches 0 and the record is dropped. Nothing is stored on the owner's record.
/// </remarks>
internal sealed class RefusedReacquire
{
    public RefusedReacquire(LockOwner owner, int releases)
    {
        Owner = owner;
        ReleasesLeft = releases;
    }

    /// <summary>Gets the owner whose wait was refused.</summary>
    public LockOwner Owner { get; }

    /// <summary>Gets or sets how many releases are still to be forgiven (the recursion count the wait would have restored). Changed under the lock's gate.</summary>
    public int ReleasesLeft { get; set; }

    /// <summary>Gets or sets the next record of the same lock.</summary>
    public RefusedReacquire? Next { get; set; }
}
