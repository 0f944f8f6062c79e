namespace Concur.Threading.Internal;

/// <summary>
/// The one spin-then-block helper: before a blocking wait, spin a bounded number of rounds for the awaited state,
/// because a wait (queue a waiter, sleep, be woken by the kernel) costs microseconds and the state is often a few
/// hundred nanoseconds away, produced by a thread running on another core.
/// </summary>
/// <remarks>
/// Each round is one <see cref="SpinWait.SpinOnce(int)"/> with Sleep(1) disabled: the first
/// <see cref="NoYieldRounds"/> rounds busy-wait with growing pauses, later ones yield the processor
/// (<c>Thread.Yield</c>/<c>Sleep(0)</c>), never sleep a whole millisecond. Nothing spins on a single processor, where the
/// thread that would change the state cannot run while this one spins.
/// </remarks>
internal static class Spinning
{
    /// <summary>
    /// Rounds that never yield (<see cref="SpinWait"/>'s yield threshold, 10): about a microsecond of busy waiting. For a
    /// wait whose partner is already running a short critical section on another core (a queue's partner putting or
    /// taking), where yielding would hand the core to some third thread instead.
    /// </summary>
    public const int NoYieldRounds = 10;

    /// <summary>
    /// Rounds before a contended <see cref="OwnedLock"/> acquire sleeps: the <see cref="NoYieldRounds"/> busy rounds,
    /// then 6 that yield. The owner of a lock is inside a critical section that is usually short, so a busy spin
    /// catches most releases; on an oversubscribed machine the owner may be descheduled, and the yields are what lets it
    /// run to its release before this thread pays for a sleep and a wake-up. More rounds cost more than they catch.
    /// </summary>
    public const int LockRounds = 16;

    /// <summary>
    /// Rounds an executor's worker (or a consumer of executor results) spins for the next work item or result before it
    /// blocks: tens of microseconds, about what the .NET thread pool's workers spin. Work submitted (or finished) in a
    /// steady stream is then picked up without waking a sleeping thread, which is most of the submit-to-result latency
    /// otherwise; the yields after the first rounds keep the spin from starving the producers on a busy machine.
    /// </summary>
    public const int WorkRounds = 100;

    /// <summary>
    /// Spins up to <paramref name="rounds"/> rounds until <paramref name="ready"/> returns <see langword="true"/>;
    /// checks once before the first round. Returns the last answer of <paramref name="ready"/>: <see langword="false"/>
    /// means block now.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="ready"/> looks at; pass a static lambda so nothing is allocated.</typeparam>
    public static bool SpinUntil<TState>(TState state, Func<TState, bool> ready, int rounds)
    {
        if (ready(state))
        {
            return true;
        }
        if (Environment.ProcessorCount == 1)
        {
            return false;
        }
        var spinner = default(SpinWait);
        for (var i = 0; i < rounds; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (ready(state))
            {
                return true;
            }
        }
        return false;
    }
}
