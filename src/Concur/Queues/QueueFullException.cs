namespace Concur;

/// <summary>
/// Thrown by a timed <c>Put</c> on a bounded <see cref="BlockingQueue{T}"/> that stayed full for the whole timeout:
/// Python's <c>queue.Full</c>.
/// </summary>
/// <remarks>
/// It derives from <see cref="TimeoutException"/>, so code that handles timeouts in general also handles it. The
/// non-throwing alternative is <see cref="BlockingQueue{T}.TryPut(T, TimeSpan, CancellationToken)"/>.
/// </remarks>
public sealed class QueueFullException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueFullException()
        : base("The queue stayed full for the whole timeout.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public QueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public QueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
