namespace Concur.Threading.Internal;

/// <summary>
/// Waits for a signal task with a timeout and a token, synchronously or asynchronously, with one meaning for both:
/// <see langword="true"/> when the task completed, <see langword="false"/> when the timeout elapsed first, and
/// <see cref="OperationCanceledException"/> when the token was cancelled first.
/// </summary>
/// <remarks>
/// The event, the barrier and the timer park their waiters on a <see cref="TaskCompletionSource"/>; blocking callers
/// and awaiting callers wait on the same task, so the two paths share one core and wake together. A task that
/// completed wins over a timeout or a cancellation that happened at the same moment: the signal was delivered.
/// </remarks>
internal static class TaskWait
{
    /// <summary>Blocks until <paramref name="task"/> completes, <paramref name="timeout"/> elapses, or the token is cancelled.</summary>
    public static bool Wait(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }
        try
        {
            return task.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException) when (task.IsCompleted)
        {
            return true;
        }
        catch (AggregateException) when (task.IsCompleted)
        {
            // The task faulted or was cancelled: it has completed, which is all a waiter asks here.
            return true;
        }
    }

    /// <summary>Waits asynchronously until <paramref name="task"/> completes, <paramref name="timeout"/> elapses, or the token is cancelled.</summary>
    public static async Task<bool> WaitAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }
        if (timeout == TimeSpan.Zero)
        {
            return false;
        }
        // SuppressThrowing: a timeout or a cancellation is an answer here, not an error worth an exception.
        await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (task.IsCompleted)
        {
            return true;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }
}
