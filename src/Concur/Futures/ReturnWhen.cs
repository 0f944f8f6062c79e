namespace Concur;

/// <summary>
/// When <see cref="Futures.Wait{TTask}"/> returns: the counterpart of Python's <c>FIRST_COMPLETED</c>,
/// <c>FIRST_EXCEPTION</c> and <c>ALL_COMPLETED</c>.
/// </summary>
public enum ReturnWhen
{
    /// <summary>Return as soon as any task has completed (succeeded, faulted or been cancelled).</summary>
    FirstCompleted,

    /// <summary>
    /// Return as soon as any task has faulted, or when all have completed if none faults. A cancelled task does not
    /// count as an exception (as in Python).
    /// </summary>
    FirstException,

    /// <summary>Return when every task has completed.</summary>
    AllCompleted,
}
