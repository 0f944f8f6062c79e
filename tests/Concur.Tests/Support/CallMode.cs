namespace Concur.Tests.Support;

/// <summary>Which twin of a blocking member a contract test drives: the blocking call or its asynchronous twin.</summary>
public enum CallMode
{
    /// <summary>The blocking member, called on a thread of its own.</summary>
    Sync,

    /// <summary>The asynchronous twin, awaited.</summary>
    Async,
}

/// <summary>
/// Runs one contract test in both <see cref="CallMode"/>s (every twin runs one core with a <c>sync</c> flag, so the
/// same test must pass for both): <c>[Theory, MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]</c>.
/// </summary>
internal static class Twin
{
    /// <summary>Gets both modes, as theory data.</summary>
    public static TheoryData<CallMode> Modes => new() { CallMode.Sync, CallMode.Async };

    /// <summary>
    /// Starts a call that may block: in <see cref="CallMode.Sync"/> <paramref name="sync"/> runs on a new thread of
    /// <paramref name="threads"/>, in <see cref="CallMode.Async"/> <paramref name="async"/> is awaited. The task
    /// completes with the call's result or exception either way.
    /// </summary>
    public static Task<T> Start<T>(CallMode mode, TestThreads threads, Func<T> sync, Func<Task<T>> async)
    {
        if (mode == CallMode.Async)
        {
            return Task.Run(async);
        }
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        threads.Start("twin-sync-call", () =>
        {
            try
            {
                done.SetResult(sync());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>The same for a call without a result.</summary>
    public static Task Start(CallMode mode, TestThreads threads, Action sync, Func<Task> async) =>
        Start(
            mode,
            threads,
            () =>
            {
                sync();
                return true;
            },
            async () =>
            {
                await async().ConfigureAwait(false);
                return true;
            });
}
