namespace Concur;

/// <summary>
/// Thrown by a timed <c>Get</c> on a <see cref="BlockingQueue{T}"/> that stayed empty for the whole timeout:
/// Python's <c>queue.Empty</c>.
/// </summary>
/// <remarks>
/// It derives from <see cref="TimeoutException"/>, so code that handles timeouts in general also handles it. The
/// non-throwing alternative is <see cref="BlockingQueue{T}.TryGet(out T, TimeSpan, CancellationToken)"/>.
/// </remarks>
public sealed class QueueEmptyException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueEmptyException()
        : base("The queue stayed empty for the whole timeout.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public QueueEmptyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public QueueEmptyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
