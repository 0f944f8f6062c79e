namespace Concur;

/// <summary>
/// Thrown, when lock-order checking is set to <see cref="LockOrderPolicy.Throw"/>, by an acquire that takes two locks
/// in the opposite order to one seen before: a potential deadlock. The lock being acquired is not taken.
/// </summary>
/// <remarks>See <see cref="DeadlockDetection.LockOrderChecking"/>; <see cref="Violation"/> holds the report as data.</remarks>
public sealed class LockOrderException : Exception
{
    /// <summary>Creates an exception for <paramref name="violation"/>.</summary>
    /// <param name="violation">The inversion found.</param>
    /// <exception cref="ArgumentNullException"><paramref name="violation"/> is <see langword="null"/>.</exception>
    public LockOrderException(LockOrderViolation violation)
        : base((violation ?? throw new ArgumentNullException(nameof(violation))).ToString())
    {
        Violation = violation;
    }

    /// <summary>Gets the inversion found: both orders and where each was taken.</summary>
    public LockOrderViolation Violation { get; }
}
