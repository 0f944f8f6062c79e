using System.Diagnostics;
using System.Text;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A look at every live <see cref="ExclusiveLock"/> and <see cref="ReentrantLock"/>: who holds each, who waits for
/// it and since when. For diagnosing a program that seems stuck.
/// </summary>
/// <example>
/// <code>
/// Console.WriteLine(LockDiagnostics.Describe());
/// </code>
/// </example>
public static class LockDiagnostics
{
    /// <summary>Takes a snapshot of the live locks, oldest first.</summary>
    /// <param name="includeFree"><see langword="true"/> to include locks that nobody holds; the default is <see langword="false"/>.</param>
    /// <returns>One entry per lock. Each entry is consistent in itself; the locks are read one after the other.</returns>
    public static IReadOnlyList<LockState> Snapshot(bool includeFree = false)
    {
        var now = Stopwatch.GetTimestamp();
        var result = new List<LockState>();
        foreach (var @lock in LockRegistry.Live())
        {
            var owner = @lock.Owner;
            var waiters = @lock.SnapshotWaiters();
            if (owner is null && waiters.Count == 0 && !includeFree)
            {
                continue;
            }
            var since = @lock.HeldSince;
            var waiting = new List<LockWaiterState>(waiters.Count);
            foreach (var waiter in waiters)
            {
                waiting.Add(new LockWaiterState(
                    waiter.Owner.Describe(),
                    ThreadId(waiter.Owner),
                    Stopwatch.GetElapsedTime(waiter.Since, now)));
            }
            result.Add(new LockState(
                @lock.Name,
                @lock.IsReentrant ? nameof(ReentrantLock) : nameof(ExclusiveLock),
                owner?.Describe(),
                owner is null ? null : ThreadId(owner),
                @lock.RecursionCount,
                owner is null || since == 0 ? null : Stopwatch.GetElapsedTime(since, now),
                waiting));
        }
        return result;
    }

    /// <summary>Formats <see cref="Snapshot"/> as text, one lock per paragraph.</summary>
    /// <param name="includeFree"><see langword="true"/> to include locks that nobody holds.</param>
    /// <returns>The snapshot as text; "No lock is held." when there is nothing to show.</returns>
    public static string Describe(bool includeFree = false)
    {
        var locks = Snapshot(includeFree);
        if (locks.Count == 0)
        {
            return "No lock is held.";
        }
        var text = new StringBuilder();
        foreach (var state in locks)
        {
            text.AppendLine(state.ToString());
        }
        return text.ToString().TrimEnd();
    }

    private static int? ThreadId(LockOwner owner) => owner is ThreadOwner thread ? thread.Thread.ManagedThreadId : null;
}
