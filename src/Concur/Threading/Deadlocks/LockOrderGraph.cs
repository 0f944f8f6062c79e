using System.Diagnostics;
using Concur.Threading.Internal;
using Microsoft.Extensions.Logging;

namespace Concur.Threading.Deadlocks;

/// <summary>
/// Lock-order checking (potential deadlocks), as Linux lockdep and Guava's CycleDetectingLockFactory do it: an edge
/// A → B for "B taken while holding A", recorded the first time a thread does that; a new edge that closes a cycle
/// is an inversion.
/// </summary>
/// <remarks>
/// <para>
/// Cost. While <see cref="Active"/> is <see langword="false"/> the locks pay one static read per acquire and release.
/// While it is on, each thread keeps its held locks in its one <see cref="ThreadOwner"/> record, and an acquire checks
/// each held lock's cache of known successors (<see cref="LockOrderNode.Knows"/>, a short array read without a lock):
/// a pair seen before costs no graph search and no lock. Only a new pair takes <see cref="s_graph"/>, captures a stack
/// and searches for a path back (breadth first, over accepted edges only).
/// </para>
/// <para>
/// An inverted edge is never added to the graph, so the graph stays acyclic and keeps the first order seen as the
/// "right" one. Under Warn the pair is cached so it is reported once; under Throw it is kept in
/// <see cref="LockOrderNode.Rejected"/> and refused every time.
/// </para>
/// </remarks>
internal static class LockOrderGraph
{
    /// <summary>
    /// Whether threads keep their held-lock lists and acquires check the order: lock-order checking is on globally
    /// or some lock opted in. Read on every acquire and release, so it is a plain static field.
    /// </summary>
    internal static volatile bool Active;

    /// <summary>
    /// Counts the times <see cref="Active"/> went from off to on. A thread whose held-lock list is from an older
    /// epoch empties it (<see cref="ThreadOwner.SyncHeld"/>): releases while checking was off left entries behind.
    /// </summary>
    internal static volatile int Epoch;

    private static readonly System.Threading.Lock s_graph = new();
    private static readonly List<WeakReference<LockOrderNode>> s_nodes = [];
    private static readonly Action<ILogger, string, Exception?> s_logViolation = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(1, "LockOrderInversion"), "{Violation}");

    private static bool s_anyLockOptedIn;

    /// <summary>Recomputes <see cref="Active"/> after the global policy changed.</summary>
    public static void Recompute() =>
        SetActive(Volatile.Read(ref s_anyLockOptedIn) || DeadlockDetection.LockOrderChecking != LockOrderPolicy.Off);

    /// <summary>A lock was set to check its order: from now on, threads keep their held-lock lists.</summary>
    public static void LockOptedIn()
    {
        Volatile.Write(ref s_anyLockOptedIn, true);
        SetActive(true);
    }

    private static void SetActive(bool active)
    {
        lock (s_graph)
        {
            if (active && !Active)
            {
                // Before Active: a thread that sees Active on sees the new epoch too.
                Epoch++;
            }
            Active = active;
        }
    }

    public static LockOrderNode CreateNode(string name)
    {
        var node = new LockOrderNode(name);
        lock (s_graph)
        {
            if (s_nodes.Count > 0 && (s_nodes.Count & 1023) == 0)
            {
                s_nodes.RemoveAll(static weak => !weak.TryGetTarget(out _));
            }
            s_nodes.Add(new WeakReference<LockOrderNode>(node));
        }
        return node;
    }

    /// <summary>Forgets every recorded order.</summary>
    public static void Reset()
    {
        lock (s_graph)
        {
            foreach (var weak in s_nodes)
            {
                if (weak.TryGetTarget(out var node))
                {
                    node.Clear();
                }
            }
        }
    }

    /// <summary>
    /// Checks, before <paramref name="me"/> blocks for <paramref name="lock"/>, that taking it while holding the
    /// locks in its held list keeps to the order seen so far. Throws <see cref="LockOrderException"/> under the
    /// Throw policy; reports under Warn.
    /// </summary>
    public static void CheckBeforeAcquire(OwnedLock @lock, ThreadOwner me)
    {
        me.SyncHeld(Epoch);
        var held = me.Held;
        var count = me.HeldCount;
        var node = @lock.OrderNodeOrNull;
        for (var i = count - 1; i >= 0; i--)
        {
            // The common case, a pair seen before: two loads and a scan of a short array, no lock, no search.
            var before = held[i].Lock!;
            if (node is not null && before.OrderNodeOrNull is { } beforeNode && beforeNode.Knows(node))
            {
                continue;
            }
            CheckNewPair(before, @lock, me, i);
            node = @lock.OrderNodeOrNull;
        }
    }

    /// <summary>A pair not in the cache: find out whether it takes part, and if so record or report it.</summary>
    private static void CheckNewPair(OwnedLock before, OwnedLock after, ThreadOwner me, int index)
    {
        if (ReferenceEquals(before, after))
        {
            return;
        }
        if (!before.IsOwnedBy(me))
        {
            // A stale entry: the lock was released on this thread's behalf by another thread (a scope disposed
            // elsewhere). Drop it rather than record an order this thread did not take.
            me.RemoveHeldAt(index);
            return;
        }
        var policy = after.LockOrderPolicyValue;
        var beforePolicy = before.LockOrderPolicyValue;
        if (policy == (int)LockOrderPolicy.Off || beforePolicy == (int)LockOrderPolicy.Off)
        {
            return;
        }
        var global = (int)DeadlockDetection.LockOrderChecking;
        var pair = Math.Max(policy < 0 ? global : policy, beforePolicy < 0 ? global : beforePolicy);
        if (pair != (int)LockOrderPolicy.Off)
        {
            OnNewPair(before, after, me, (LockOrderPolicy)pair);
        }
    }

    private static void OnNewPair(OwnedLock before, OwnedLock after, ThreadOwner me, LockOrderPolicy policy)
    {
        var stack = CaptureStack();
        var from = before.OrderNode;
        var to = after.OrderNode;
        LockOrderViolation violation;
        lock (s_graph)
        {
            if (from.Knows(to))
            {
                return;
            }
            if (from.Rejected is { } rejected && rejected.TryGetValue(to, out var earlier))
            {
                violation = Violation(me, from, to, stack, earlier.EstablishedOrder);
                policy = LockOrderPolicy.Throw;
            }
            else
            {
                var path = FindPath(to, from);
                if (path is null)
                {
                    (from.Edges ??= []).Add(to, new LockOrderEdge(
                        from.Name, to.Name, me.Describe(), me.Thread.ManagedThreadId, stack));
                    from.Remember(to);
                    return;
                }
                violation = Violation(me, from, to, stack, path);
                if (policy == LockOrderPolicy.Throw)
                {
                    (from.Rejected ??= []).Add(to, violation);
                }
                else
                {
                    from.Remember(to);
                }
            }
        }
        if (policy == LockOrderPolicy.Throw)
        {
            throw new LockOrderException(violation);
        }
        Warn(violation);
    }

    private static LockOrderViolation Violation(
        ThreadOwner me, LockOrderNode held, LockOrderNode acquired, string stack, IReadOnlyList<LockOrderEdge> established) =>
        new(me.Describe(), me.Thread.ManagedThreadId, held.Name, acquired.Name, stack, established);

    /// <summary>Finds a chain of accepted edges from <paramref name="start"/> to <paramref name="target"/>, breadth first. Under the graph lock.</summary>
    private static List<LockOrderEdge>? FindPath(LockOrderNode start, LockOrderNode target)
    {
        var cameFrom = new Dictionary<LockOrderNode, (LockOrderNode Node, LockOrderEdge Edge)?> { [start] = null };
        var frontier = new Queue<LockOrderNode>();
        frontier.Enqueue(start);
        while (frontier.Count > 0)
        {
            var node = frontier.Dequeue();
            if (node.Edges is null)
            {
                continue;
            }
            foreach (var (next, edge) in node.Edges)
            {
                if (cameFrom.ContainsKey(next))
                {
                    continue;
                }
                cameFrom[next] = (node, edge);
                if (ReferenceEquals(next, target))
                {
                    var path = new List<LockOrderEdge>();
                    for (var step = cameFrom[next]; step is { } s; step = cameFrom[s.Node])
                    {
                        path.Add(s.Edge);
                    }
                    path.Reverse();
                    return path;
                }
                frontier.Enqueue(next);
            }
        }
        return null;
    }

    private static void Warn(LockOrderViolation violation)
    {
        var callback = DeadlockDetection.LockOrderWarning;
        var logger = DeadlockDetection.Logger;
        callback?.Invoke(violation);
        if (logger is not null)
        {
            s_logViolation(logger, violation.ToString(), null);
        }
        if (callback is null && logger is null)
        {
            Console.Error.WriteLine(violation.ToString());
        }
    }

    /// <summary>The caller's stack without Concur's own frames, innermost call first.</summary>
    private static string CaptureStack()
    {
        var concur = typeof(OwnedLock).Assembly;
        var frames = new StackTrace(0, fNeedFileInfo: false).GetFrames();
        var skip = 0;
        while (skip < frames.Length && frames[skip].GetMethod()?.DeclaringType?.Assembly == concur)
        {
            skip++;
        }
        // Same depth as the trace above: this method's frame is the first of those skipped.
        return new StackTrace(skip, fNeedFileInfo: true).ToString().TrimEnd();
    }
}
