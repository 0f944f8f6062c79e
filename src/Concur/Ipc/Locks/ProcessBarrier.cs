using System.Diagnostics;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A meeting point for a fixed number of parties in any processes (Python's <c>multiprocessing.Barrier</c>, shaped as
/// <see cref="ThreadBarrier"/>): each party calls <see cref="SignalAndWait(CancellationToken)"/>; all block until the
/// last one arrives, then all go on together and the barrier is ready for the next round. A party whose process dies
/// breaks the barrier and releases everyone.
/// </summary>
/// <remarks>
/// <para>
/// <b>Rounds and broken state</b>, as <see cref="ThreadBarrier"/> and Python: <c>SignalAndWait</c> returns the caller's
/// arrival index (0 to <see cref="Parties"/> − 1); <see cref="Abort"/>, a waiter's timeout or cancellation break the
/// barrier, every waiter of the round gets a <see cref="BrokenBarrierException"/> (a cancelled one
/// <see cref="OperationCanceledException"/>), and every later wait throws at once until <see cref="Reset"/>.
/// </para>
/// <para>
/// <b>Dead parties.</b> The barrier's shared memory lists the processes that take part: a process takes part from its
/// first <c>SignalAndWait</c> until it disposed of the barrier. Waiters look through the list every 20 ms, and when a
/// process on it no longer runs (SIGKILL, a crash, or an exit without <see cref="Dispose"/>) they break the barrier:
/// everyone waiting gets a <see cref="BrokenBarrierException"/> that names the dead process, within tens of milliseconds.
/// A process that is done with the barrier while others go on should dispose of it, or its exit reads as a death.
/// A party that dies before its first wait is not known: the others wait for it until their timeout.
/// </para>
/// <para>
/// <b>No action.</b> Python's <c>action</c> runs in the last process to arrive, but a .NET delegate cannot travel to
/// another process; run the round's housekeeping in the party whose <c>SignalAndWait</c> returned 0 instead.
/// </para>
/// <para>Pass it to children and pool tasks as a <see cref="ProcessLock"/> is passed. Linux only today (x64 and Arm64).</para>
/// </remarks>
/// <example>
/// <code>
/// using var ready = new ProcessBarrier(3);
/// var children = Enumerable.Range(0, 3).Select(i =&gt; new ChildProcess(() =&gt;
/// {
///     Prepare(i);
///     if (ready.SignalAndWait(TimeSpan.FromSeconds(10)) == 0) Console.WriteLine("all three are ready");
///     Work(i);
/// })).ToList();
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessBarrier : IDisposable, IPassedByHandle<ProcessBarrier>
{
    /// <summary>How often a waiter looks whether the parties still run.</summary>
    private const int PartySlice = 20;

    private const int Aborted = 1;
    private const int GaveUp = 2;
    private const int PartyDied = 3;

    private readonly SyncMemory _memory;
    private int _joined;

    /// <summary>Creates a barrier for <paramref name="parties"/> parties in new shared memory.</summary>
    /// <param name="parties">How many parties must arrive before all go on; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is less than 1.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessBarrier(int parties)
        : this(Create(parties))
    {
    }

    /// <summary>Opens the barrier named <paramref name="name"/>, or creates it for <paramref name="parties"/> parties, for processes that share nothing but the name.</summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <param name="parties">How many parties must arrive before all go on; an existing barrier must have as many.</param>
    /// <remarks>
    /// The name is <c>/dev/shm/&lt;name&gt;</c>, shared by every process of the same user that opens it. Each process
    /// that opens it counts among its users until it disposes of it, and the last one removes the name, so nothing is
    /// left after normal exits. When every user was killed, the name stays until a process opens it again (which
    /// finds it as it was, a dead holder's lock taken over as usual) and disposes of it. A named object passed to a
    /// child travels as its memory, as an anonymous one does; the child is not one of the name's users.
    /// </remarks>
    /// <returns>This process's view of the barrier.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The barrier of that name exists with another number of parties.</exception>
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessBarrier"/>.</exception>
    public static ProcessBarrier OpenOrCreate(string name, int parties)
    {
        CheckParties(parties);
        var barrier = new ProcessBarrier(SyncMemory.OpenOrCreate(
            name, SyncKinds.Barrier, nameof(ProcessBarrier), value: 0, bound: parties, initialize: static m => Volatile.Write(ref m.Generation, 1)));
        if (barrier.Parties != parties)
        {
            int existing = barrier.Parties;
            barrier.Dispose();
            throw new InvalidOperationException(
                $"The ProcessBarrier named '{name}' exists for {existing} parties, not {parties}: every process must open it with the same number.");
        }
        return barrier;
    }

    private ProcessBarrier(SyncMemory memory) => _memory = memory;

    /// <summary>Gets the barrier's memory, for tests.</summary>
    internal SyncMemory Memory => _memory;

    /// <summary>Gets the number of parties that must arrive to complete a round.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public int Parties => Read(ref _memory.Bound);

    /// <summary>Gets the number of parties waiting in the current round (Python's <c>n_waiting</c>); 0 while broken.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public int WaitingCount
    {
        get
        {
            _memory.BeginUse();
            try
            {
                return Volatile.Read(ref _memory.Broken) != 0 ? 0 : Volatile.Read(ref _memory.Value);
            }
            finally
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>Gets a value indicating whether the barrier is broken; <see cref="Reset"/> mends it.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public bool IsBroken => Read(ref _memory.Broken) != 0;

    /// <summary>Waits until every party has arrived.</summary>
    /// <param name="cancellationToken">Cancels the wait; cancelling before the round is complete breaks the barrier.</param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="BrokenBarrierException">The barrier is broken, or broke or was reset while waiting (a party's process died, another gave up, or it was aborted).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public int SignalAndWait(CancellationToken cancellationToken = default) => SignalAndWait(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits until every party has arrived or <paramref name="timeout"/> elapses (Python's <c>wait(timeout)</c>); a timeout breaks the barrier.</summary>
    /// <param name="timeout">How long to wait: <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait; cancelling before the round is complete breaks the barrier.</param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="BrokenBarrierException">The barrier is broken, broke or was reset while waiting, or <paramref name="timeout"/> elapsed first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public int SignalAndWait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitCore(sync: true, timeout, cancellationToken));
    }

    /// <summary>Waits asynchronously until every party has arrived or <paramref name="timeout"/> elapses; a timeout breaks the barrier.</summary>
    /// <param name="timeout">How long to wait: <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait; cancelling before the round is complete breaks the barrier.</param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="BrokenBarrierException">The barrier is broken, broke or was reset while waiting, or <paramref name="timeout"/> elapsed first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public Task<int> SignalAndWaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitCore(sync: false, timeout, cancellationToken).AsTask();
    }

    /// <summary>Waits asynchronously until every party has arrived.</summary>
    /// <param name="cancellationToken">Cancels the wait; cancelling before the round is complete breaks the barrier.</param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="BrokenBarrierException">The barrier is broken, or broke or was reset while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public Task<int> SignalAndWaitAsync(CancellationToken cancellationToken = default) => SignalAndWaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Breaks the barrier (Python's <c>abort()</c>): every party waiting now, in any process, and every later wait get a <see cref="BrokenBarrierException"/> until <see cref="Reset"/>.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public void Abort()
    {
        _memory.BeginUse();
        try
        {
            Break(round: null, Aborted, deadPid: 0);
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Returns the barrier to its empty state (Python's <c>reset()</c>): parties waiting now get a <see cref="BrokenBarrierException"/>, a broken barrier is mended, and later waits start a fresh round.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the barrier.</exception>
    public void Reset()
    {
        _memory.BeginUse();
        try
        {
            LockState();
            try
            {
                if (Volatile.Read(ref _memory.Value) > 0 || Volatile.Read(ref _memory.Broken) != 0)
                {
                    Volatile.Write(ref _memory.FailedRound, Volatile.Read(ref _memory.Generation));
                    Volatile.Write(ref _memory.Generation, Volatile.Read(ref _memory.Generation) + 1);
                }
                Volatile.Write(ref _memory.Value, 0);
                Volatile.Write(ref _memory.Broken, 0);
            }
            finally
            {
                UnlockState();
            }
            _memory.Notifications.Publish();
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Closes this process's view; once this process closed every view it waited through, it no longer takes part (its exit is not a death).</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        if (Interlocked.Exchange(ref _joined, 0) == 1 && _memory.TryBeginUse())
        {
            try
            {
                LockState();
                try
                {
                    _memory.Parties.Leave();
                }
                finally
                {
                    UnlockState();
                }
            }
            finally
            {
                _memory.EndUse();
            }
        }
        _memory.Dispose();
    }

    /// <summary>Describes the barrier and its state.</summary>
    /// <returns>For example <c>ProcessBarrier (2/3 waiting)</c> or <c>ProcessBarrier (3 parties, broken)</c>.</returns>
    public override string ToString()
    {
        try
        {
            return IsBroken ? $"ProcessBarrier ({Parties} parties, broken)" : $"ProcessBarrier ({WaitingCount}/{Parties} waiting)";
        }
        catch (ObjectDisposedException)
        {
            return "ProcessBarrier (disposed in this process)";
        }
    }

    /// <summary>Gets the barrier's shared memory.</summary>
    SafeHandle IPassedByHandle<ProcessBarrier>.TransferHandle
    {
        get
        {
            _memory.ThrowIfDisposed();
            return _memory.Memory;
        }
    }

    /// <summary>Gets no state: the parties and the round are in the shared memory.</summary>
    byte[] IPassedByHandle<ProcessBarrier>.TransferState => [];

    /// <summary>Maps the received shared memory as a barrier.</summary>
    static ProcessBarrier IPassedByHandle<ProcessBarrier>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SyncMemory.Attach(handle, SyncKinds.Barrier, nameof(ProcessBarrier)));

    private static void CheckParties(int parties)
    {
        if (parties < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(parties), parties, "A barrier needs at least 1 party: pass how many processes (or threads) must arrive before all go on.");
        }
    }

    private static SyncMemory Create(int parties)
    {
        CheckParties(parties);
        var memory = SyncMemory.Create(SyncKinds.Barrier, nameof(ProcessBarrier), value: 0, bound: parties);
        Volatile.Write(ref memory.Generation, 1); // Round 0 stays "never failed".
        return memory;
    }

    private int Read(ref int word)
    {
        _memory.BeginUse();
        try
        {
            return Volatile.Read(ref word);
        }
        finally
        {
            _memory.EndUse();
        }
    }

    private async ValueTask<int> WaitCore(bool sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _memory.BeginUse();
        try
        {
            int round;
            int index;
            LockState();
            try
            {
                if (Interlocked.Exchange(ref _joined, 1) == 0)
                {
                    _memory.Parties.Join(nameof(ProcessBarrier));
                }
                if (Volatile.Read(ref _memory.Broken) != 0)
                {
                    throw BrokenNow();
                }
                round = Volatile.Read(ref _memory.Generation);
                index = Volatile.Read(ref _memory.Value);
                if (index + 1 == Volatile.Read(ref _memory.Bound))
                {
                    Volatile.Write(ref _memory.Value, 0);
                    Volatile.Write(ref _memory.Generation, round + 1);
                }
                else
                {
                    Volatile.Write(ref _memory.Value, index + 1);
                }
            }
            finally
            {
                UnlockState();
            }
            if (index + 1 == Volatile.Read(ref _memory.Bound))
            {
                _memory.Notifications.Publish();
                return index;
            }
            var deadline = Deadline.Start(timeout);
            long lookedAt = Environment.TickCount64;
            while (true)
            {
                int seen = _memory.Notifications.Read();
                if (Volatile.Read(ref _memory.Generation) != round)
                {
                    return Volatile.Read(ref _memory.FailedRound) == round
                        ? throw new BrokenBarrierException("The ProcessBarrier was reset or broken while this party waited.")
                        : index;
                }
                if (Volatile.Read(ref _memory.Broken) != 0)
                {
                    throw BrokenNow();
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    Break(round, GaveUp, deadPid: 0);
                    throw new BrokenBarrierException(
                        $"Timed out after {timeout.TotalMilliseconds:0.###} ms waiting at a ProcessBarrier ({Volatile.Read(ref _memory.Value)} of {Volatile.Read(ref _memory.Bound)} parties had arrived); the barrier is broken for the others too.");
                }
                if (Environment.TickCount64 - lookedAt >= PartySlice)
                {
                    lookedAt = Environment.TickCount64;
                    int dead = _memory.Parties.FindDead();
                    if (dead != 0)
                    {
                        Break(round, PartyDied, dead);
                        throw BrokenNow();
                    }
                }
                try
                {
                    await _memory.WaitForNotificationAsync(sync, seen, PartySlice, deadline, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Break(round, GaveUp, deadPid: 0);
                    throw;
                }
            }
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Breaks round <paramref name="round"/> (or the current one) unless it is over or broken already, and wakes every waiter.</summary>
    private void Break(int? round, int cause, int deadPid)
    {
        LockState();
        try
        {
            int current = Volatile.Read(ref _memory.Generation);
            if ((round is int r && r != current) || Volatile.Read(ref _memory.Broken) != 0)
            {
                return;
            }
            Volatile.Write(ref _memory.ValueWaiters, deadPid);
            Volatile.Write(ref _memory.FailedRound, current);
            Volatile.Write(ref _memory.Value, 0);
            Volatile.Write(ref _memory.Broken, cause);
            if (deadPid != 0)
            {
                _memory.Parties.Forget(deadPid);
            }
        }
        finally
        {
            UnlockState();
            _memory.Notifications.Publish();
        }
    }

    private BrokenBarrierException BrokenNow() => Volatile.Read(ref _memory.Broken) switch
    {
        Aborted => new BrokenBarrierException("The ProcessBarrier was aborted. Call Reset() to use it again."),
        PartyDied => new BrokenBarrierException(
            $"The ProcessBarrier is broken: process {Volatile.Read(ref _memory.ValueWaiters)}, which took part in it, died (killed, crashed, or exited without disposing of the barrier). Call Reset() to use it again."),
        _ => new BrokenBarrierException("The ProcessBarrier is broken: a party timed out or was cancelled while waiting. Call Reset() to use it again."),
    };

    private void LockState() => _memory.Hold(_memory.Lock);

    private void UnlockState() => _memory.Unhold(_memory.Lock);
}
