namespace Concur;

/// <summary>
/// Thrown by a <see cref="BlockingQueue{T}"/> after <see cref="BlockingQueue{T}.Shutdown(bool)"/>: by every put, and
/// by a get once the queue is empty. Python 3.13's <c>queue.ShutDown</c>.
/// </summary>
/// <remarks>
/// Consumers usually treat it as "no more work": catch it and leave the loop, or use
/// <see cref="BlockingQueue{T}.GetConsumingEnumerable(CancellationToken)"/>, which ends instead of throwing.
/// </remarks>
public sealed class QueueShutDownException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueShutDownException()
        : base("The queue has been shut down.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public QueueShutDownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public QueueShutDownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
