namespace Concur;

/// <summary>What an acquire with a finite timeout does when waiting would close a deadlock cycle.</summary>
public enum TimedDeadlockPolicy
{
    /// <summary>Throw <see cref="DeadlockException"/> at once, as an acquire without a timeout does.</summary>
    Throw,

    /// <summary>Wait out the timeout and return <see langword="false"/>, which breaks the cycle when it runs out.</summary>
    WaitOutTimeout,
}
