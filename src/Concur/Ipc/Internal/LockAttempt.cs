namespace Concur.Ipc.Internal;

/// <summary>What came of an attempt to take a <see cref="RobustLockWord"/>.</summary>
internal enum LockAttempt
{
    /// <summary>Someone else holds it.</summary>
    Busy,

    /// <summary>It was free; the caller holds it now.</summary>
    Taken,

    /// <summary>Its owner had died; the caller took it over and holds it now.</summary>
    TookOver,
}
