using System.Runtime.CompilerServices;
using Concur.Threading.Deadlocks;
using Concur.Threading.Internal;

namespace Concur;

// The lock-order checking hooks: the per-lock policy, the lock's node in the lock-order graph, and the acquire that
// runs while checking is active (LockOrderGraph.Active). With checking off, none of this is on the acquire path but
// one static read.
public abstract partial class OwnedLock
{
    private int _lockOrderPolicy = -1;
    private LockOrderNode? _orderNode;

    /// <summary>
    /// Gets or sets lock-order checking for this lock: <see langword="null"/> (the default) follows
    /// <see cref="DeadlockDetection.LockOrderChecking"/>; <see cref="LockOrderPolicy.Off"/> leaves every pair with
    /// this lock unchecked (an opt-out that wins over the other lock's setting); <see cref="LockOrderPolicy.Warn"/>
    /// or <see cref="LockOrderPolicy.Throw"/> check the pairs with this lock even when the global setting is off
    /// (the stricter of the two locks' policies applies).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="LockOrderPolicy"/>.</exception>
    public LockOrderPolicy? LockOrderChecking
    {
        get => _lockOrderPolicy < 0 ? null : (LockOrderPolicy)_lockOrderPolicy;
        set
        {
            if (value is { } policy && !Enum.IsDefined(policy))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use null (follow the global setting), LockOrderPolicy.Off, Warn or Throw.");
            }
            Volatile.Write(ref _lockOrderPolicy, value is null ? -1 : (int)value.Value);
            if (value is not null and not LockOrderPolicy.Off)
            {
                LockOrderGraph.LockOptedIn();
            }
        }
    }

    /// <summary>Gets the per-lock policy as a number: -1 follows the global one, else a <see cref="LockOrderPolicy"/> value.</summary>
    internal int LockOrderPolicyValue => _lockOrderPolicy;

    /// <summary>Gets this lock's node in the lock-order graph, or <see langword="null"/> before it takes part in a checked pair.</summary>
    internal LockOrderNode? OrderNodeOrNull => _orderNode;

    /// <summary>Gets this lock's node in the lock-order graph, created on first use.</summary>
    internal LockOrderNode OrderNode
    {
        get
        {
            var node = _orderNode;
            if (node is null)
            {
                Interlocked.CompareExchange(ref _orderNode, LockOrderGraph.CreateNode(Name), null);
                node = _orderNode;
            }
            return node;
        }
    }

    /// <summary>
    /// Acquires while lock-order checking is active: checks the order before waiting (not for a re-entry, which
    /// never waits, nor for a try without waiting) and records the lock in the thread's held list.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AcquireOrdered(ThreadOwner me, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (me.HeldCount != 0 && timeout.Ticks != 0 && _owner != me)
        {
            LockOrderGraph.CheckBeforeAcquire(this, me);
        }
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            TookFree(me, 1);
            me.PushHeld(this);
            return true;
        }
        return AcquireOrderedSlow(me, timeout, cancellationToken);
    }

    /// <summary>The part of <see cref="AcquireOrdered"/> after the first CAS failed: re-entry, or a wait.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AcquireOrderedSlow(ThreadOwner me, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reentry = _owner == me;
        var taken = TryTakeFast(me) || (timeout.Ticks != 0 && AcquireContended(me, timeout, 1, cancellationToken));
        if (taken && !reentry)
        {
            me.PushHeld(this);
        }
        return taken;
    }
}
