namespace Concur;

/// <summary>
/// What lock-order checking does when a thread takes two locks in the opposite order to one seen before (a
/// potential deadlock, even if this run did not deadlock). Set globally with
/// <see cref="DeadlockDetection.LockOrderChecking"/> and per lock with <see cref="OwnedLock.LockOrderChecking"/>.
/// </summary>
public enum LockOrderPolicy
{
    /// <summary>Do not record or check the order (the global default).</summary>
    Off = 0,

    /// <summary>
    /// Report each inverted pair once, to <see cref="DeadlockDetection.LockOrderWarning"/> and
    /// <see cref="DeadlockDetection.Logger"/> (or standard error when neither is set), and acquire as usual.
    /// </summary>
    Warn = 1,

    /// <summary>Throw <see cref="LockOrderException"/> from the acquire, before it waits, every time the inverted order is attempted.</summary>
    Throw = 2,
}
