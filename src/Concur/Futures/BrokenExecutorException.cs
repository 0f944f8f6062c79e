namespace Concur;

/// <summary>
/// The exception that faults work handed to an executor that can no longer run it: the counterpart of Python's
/// <c>concurrent.futures.BrokenExecutor</c> (<c>BrokenThreadPool</c>, <c>BrokenProcessPool</c>).
/// </summary>
/// <remarks>
/// A <see cref="ThreadPoolExecutor"/> breaks when its initializer throws; the initializer's exception is the
/// <see cref="Exception.InnerException"/>. A process pool breaks when a worker process dies or cannot start.
/// A broken executor stays broken: create a new one.
/// </remarks>
public sealed class BrokenExecutorException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public BrokenExecutorException()
        : base("The executor is broken and cannot run work any more; create a new executor.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What broke the executor.</param>
    public BrokenExecutorException(string? message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and the exception that broke the executor.</summary>
    /// <param name="message">What broke the executor.</param>
    /// <param name="innerException">The exception that broke it (for a thread pool, the initializer's exception).</param>
    public BrokenExecutorException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
