namespace Concur;

/// <summary>
/// Thrown by <see cref="ThreadBarrier.Wait(CancellationToken)"/> when the barrier is broken, or is reset or broken
/// while the caller waits: Python's <c>threading.BrokenBarrierError</c>.
/// </summary>
/// <remarks>
/// A barrier breaks when <see cref="ThreadBarrier.Abort"/> is called, when a waiter's timeout elapses or its
/// cancellation token is cancelled before every party arrived, or when the barrier's action throws. It stays broken
/// (every wait throws this exception at once) until <see cref="ThreadBarrier.Reset"/> is called.
/// </remarks>
/// <example>
/// <code>
/// try
/// {
///     barrier.Wait(TimeSpan.FromSeconds(5));
/// }
/// catch (BrokenBarrierException)
/// {
///     // another party gave up (timeout, Abort, failed action): stop this round
/// }
/// </code>
/// </example>
public sealed class BrokenBarrierException : Exception
{
    /// <summary>Initializes the exception with a default message.</summary>
    public BrokenBarrierException()
        : base("The barrier is broken: a party timed out, was cancelled or aborted it, or its action threw. Call Reset() to use it again.")
    {
    }

    /// <summary>Initializes the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public BrokenBarrierException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The exception that broke the barrier, or <see langword="null"/>.</param>
    public BrokenBarrierException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
