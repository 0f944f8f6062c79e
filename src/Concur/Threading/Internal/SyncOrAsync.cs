using System.Diagnostics;

namespace Concur.Threading.Internal;

/// <summary>
/// The one rule for a member that has a blocking and an asynchronous twin: both run the same <c>async</c> core, which
/// takes a <c>bool sync</c> flag (Polly's <c>ExecuteCore</c>, Nito.AsyncEx's <c>DoEnqueueAsync(..., sync)</c>).
/// </summary>
/// <remarks>
/// With <c>sync: true</c> the core waits with the blocking calls (a thread's event, <c>Acquire</c>, <c>Wait</c>) and
/// never awaits anything incomplete, so it returns a completed <see cref="ValueTask{TResult}"/> that
/// <see cref="RunSync{TResult}(ValueTask{TResult})"/> unwraps: the blocking twin pays for a state machine on the stack,
/// not for a task or a thread-pool hop. With <c>sync: false</c> the same lines await. One core means one place for
/// the state changes, the timeout, cancellation and the error messages, so the twins cannot drift apart.
/// </remarks>
internal static class SyncOrAsync
{
    /// <summary>Unwraps the result of a core that ran with <c>sync: true</c>, rethrowing its exception as it was thrown.</summary>
    public static TResult RunSync<TResult>(ValueTask<TResult> pending)
    {
        Debug.Assert(pending.IsCompleted, "A core called with sync: true never suspends.");
        return pending.GetAwaiter().GetResult();
    }

    /// <summary>Unwraps a core without a result that ran with <c>sync: true</c>.</summary>
    public static void RunSync(ValueTask pending)
    {
        Debug.Assert(pending.IsCompleted, "A core called with sync: true never suspends.");
        pending.GetAwaiter().GetResult();
    }
}
