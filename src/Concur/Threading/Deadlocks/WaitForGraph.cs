using Concur.Threading.Internal;

namespace Concur.Threading.Deadlocks;

/// <summary>
/// Finds cycles in the wait-for graph of owned locks. Runs only on the contended path.
/// </summary>
/// <remarks>
/// <para>
/// Every blocked acquire publishes its <see cref="LockWaiter"/> as its owner's <see cref="LockOwner.CurrentWait"/>
/// under <see cref="s_graph"/> and then walks lock → owner → owner's pending wait → that wait's lock → ... . Because
/// publishing and walking happen under one lock, of two threads closing a cycle at the same moment the second sees
/// the first's edge: exactly one of them finds the cycle.
/// </para>
/// <para>
/// The walk reads owners without the locks' gates, so it can see a state that is already gone (a lock just
/// released, a wait just granted). Before reporting, each edge is confirmed under its lock's gate: the waiter is
/// still pending and the holder still owns the lock. A thread whose wait is pending is blocked, so it can neither
/// release nor take anything, and a confirmed cycle of blocked threads is a real deadlock. Lock order: the graph
/// lock may be held while taking a gate, never the other way round.
/// </para>
/// </remarks>
internal static class WaitForGraph
{
    private const int MaxHops = 4096;

    private static readonly System.Threading.Lock s_graph = new();

    /// <summary>Throws for a thread that blocks on a non-reentrant lock it already holds, unless told otherwise.</summary>
    public static void OnSelfDeadlock(OwnedLock @lock, LockOwner me, TimeSpan timeout)
    {
        if (!DeadlockDetection.Enabled || me is not ThreadOwner thread || !ShouldWalk(timeout))
        {
            return;
        }
        var id = thread.Thread.ManagedThreadId;
        var who = thread.Describe();
        throw new DeadlockException(new DeadlockReport([new DeadlockCycleEntry(who, id, @lock.Name, who, id, @lock.Name)]));
    }

    /// <summary>
    /// Publishes <paramref name="waiter"/> and returns the cycle it closes, or <see langword="null"/> if there is none.
    /// </summary>
    public static DeadlockReport? FindCycle(LockWaiter waiter, TimeSpan timeout)
    {
        var me = waiter.Owner;
        lock (s_graph)
        {
            me.CurrentWait = waiter;
            if (!ShouldWalk(timeout))
            {
                return null;
            }

            var path = new List<LockWaiter>(4) { waiter };
            var next = waiter.Lock;
            for (var hop = 0; ; hop++)
            {
                if (hop == MaxHops)
                {
                    return null;
                }
                var owner = next.Owner;
                if (owner is null)
                {
                    return null;
                }
                if (owner == me)
                {
                    if (path.Count == 1)
                    {
                        return null; // Granted to us meanwhile.
                    }
                    break;
                }
                var wait = owner.CurrentWait;
                if (wait is null || !wait.IsPending || Contains(path, owner))
                {
                    // The owner is running (it will release), or it is stuck in a cycle that does not include us
                    // and was reported to one of its own members.
                    return null;
                }
                if (wait.IsTimed && DeadlockDetection.TimedWaits == TimedDeadlockPolicy.WaitOutTimeout)
                {
                    // That wait ends by itself when its timeout runs out and so breaks the cycle: not a deadlock.
                    return null;
                }
                path.Add(wait);
                next = wait.Lock;
            }

            for (var i = 0; i < path.Count; i++)
            {
                var holder = path[(i + 1) % path.Count].Owner;
                if (!path[i].Lock.ConfirmEdge(path[i], holder))
                {
                    return null;
                }
            }
            return BuildReport(path);
        }
    }

    private static bool ShouldWalk(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || DeadlockDetection.TimedWaits == TimedDeadlockPolicy.Throw;

    private static bool Contains(List<LockWaiter> path, LockOwner owner)
    {
        foreach (var step in path)
        {
            if (step.Owner == owner)
            {
                return true;
            }
        }
        return false;
    }

    private static DeadlockReport BuildReport(List<LockWaiter> path)
    {
        var entries = new DeadlockCycleEntry[path.Count];
        for (var i = 0; i < path.Count; i++)
        {
            var waiting = path[i];
            var holder = path[(i + 1) % path.Count].Owner;
            var previous = path[(i + path.Count - 1) % path.Count];
            entries[i] = new DeadlockCycleEntry(
                waiting.Owner.Describe(),
                ThreadId(waiting.Owner),
                waiting.Lock.Name,
                holder.Describe(),
                ThreadId(holder),
                previous.Lock.Name);
        }
        return new DeadlockReport(entries);
    }

    private static int ThreadId(LockOwner owner) => owner is ThreadOwner thread ? thread.Thread.ManagedThreadId : -1;
}
