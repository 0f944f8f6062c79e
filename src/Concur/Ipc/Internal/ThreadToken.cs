namespace Concur.Ipc.Internal;

/// <summary>
/// A number for the calling thread that no other thread of this process ever gets, recorded as the holder of a
/// process lock. <see cref="Environment.CurrentManagedThreadId"/> is not enough: .NET gives a dead thread's id to the
/// next thread it starts, so a thread that exited while holding a lock would hand its hold to a stranger (which could
/// then re-enter or release a lock it never took). With a token, that stranger is just another thread: it waits, and
/// releasing gives it a clear error.
/// </summary>
internal static class ThreadToken
{
    [ThreadStatic]
    private static int s_token;

    private static int s_last;

    /// <summary>Gets the calling thread's token: positive, and never given to another thread of this process.</summary>
    /// <exception cref="InvalidOperationException">More than 2^31 - 1 threads have used process locks in this process.</exception>
    public static int Current
    {
        get
        {
            int token = s_token;
            return token != 0 ? token : s_token = Next();
        }
    }

    private static int Next()
    {
        int next = Interlocked.Increment(ref s_last);
        if (next <= 0)
        {
            throw new InvalidOperationException(
                "More than 2,147,483,647 threads have used process locks in this process; thread tokens are used up. Reuse threads (a thread pool) for work that takes process locks.");
        }
        return next;
    }
}
