using System.Diagnostics;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A flag that threads of any number of processes wait for (Python's <c>multiprocessing.Event</c>, shaped as
/// <see cref="ThreadEvent"/>): <see cref="Set"/> raises it and wakes every waiter in every process, <see cref="Clear"/>
/// lowers it, <see cref="Wait(CancellationToken)"/> blocks until it is raised.
/// </summary>
/// <remarks>
/// <para>
/// One word of shared memory holds the flag and a count of the times it was raised: a waiter that was waiting when
/// <see cref="Set"/> was called returns <see langword="true"/> even if <see cref="Clear"/> follows before it ran, as
/// with <see cref="ThreadEvent"/>. Nobody owns an event, so a process killed at any point (while waiting, or between
/// a set and a clear) blocks no one: the others go on.
/// </para>
/// <para>
/// Pass it to a <see cref="ChildProcess"/> or a pool task as a <see cref="ProcessLock"/> or a queue is passed.
/// <see cref="Dispose"/> closes this process's view only. Linux only today (x64 and Arm64).
/// </para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessEvent : IDisposable, IPassedByHandle<ProcessEvent>
{
    /// <summary>How long a waiter sleeps before it looks again even without a wake-up.</summary>
    private const int IdleSlice = 250;

    private readonly SyncMemory _memory;

    /// <summary>Creates an event in new shared memory, lowered as in Python, or raised.</summary>
    /// <param name="initiallySet">Whether the flag starts raised.</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessEvent(bool initiallySet = false)
        : this(SyncMemory.Create(SyncKinds.Event, nameof(ProcessEvent), value: initiallySet ? 3 : 0))
    {
    }

    /// <summary>Opens the event named <paramref name="name"/>, or creates it, for processes that share nothing but the name.</summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <param name="initiallySet">Whether the flag starts raised, when this call creates the event (ignored when it exists).</param>
    /// <remarks>
    /// The name is <c>/dev/shm/&lt;name&gt;</c>, shared by every process of the same user that opens it. Each process
    /// that opens it counts among its users until it disposes of it, and the last one removes the name, so nothing is
    /// left after normal exits. When every user was killed, the name stays until a process opens it again (which
    /// finds it as it was, a dead holder's lock taken over as usual) and disposes of it. A named object passed to a
    /// child travels as its memory, as an anonymous one does; the child is not one of the name's users.
    /// </remarks>
    /// <returns>This process's view of the event.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessEvent"/>.</exception>
    public static ProcessEvent OpenOrCreate(string name, bool initiallySet = false) =>
        new(SyncMemory.OpenOrCreate(name, SyncKinds.Event, nameof(ProcessEvent), value: initiallySet ? 3 : 0));

    private ProcessEvent(SyncMemory memory) => _memory = memory;

    /// <summary>Gets a value indicating whether the flag is raised (Python's <c>is_set()</c>).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public bool IsSet
    {
        get
        {
            _memory.BeginUse();
            try
            {
                return (Volatile.Read(ref _memory.Value) & 1) != 0;
            }
            finally
            {
                _memory.EndUse();
            }
        }
    }

    /// <summary>Gets the event's memory, for tests.</summary>
    internal SyncMemory Memory => _memory;

    /// <summary>Raises the flag and wakes every thread and task of every process waiting for it. Does nothing if it is raised.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public void Set()
    {
        _memory.BeginUse();
        try
        {
            ref int word = ref _memory.Value;
            while (true)
            {
                int state = Volatile.Read(ref word);
                if ((state & 1) != 0)
                {
                    return;
                }
                // Bit 0 is the flag; the rest counts the sets, so a waiter sees a set even if a clear follows it.
                if (Interlocked.CompareExchange(ref word, (state + 2) | 1, state) == state)
                {
                    _memory.Changes.Publish();
                    return;
                }
            }
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Lowers the flag (Python's <c>clear()</c>).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public void Clear()
    {
        _memory.BeginUse();
        try
        {
            Interlocked.And(ref _memory.Value, ~1);
        }
        finally
        {
            _memory.EndUse();
        }
    }

    /// <summary>Blocks until the flag is raised (Python's <c>wait()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(WaitCoreAsync(sync: true, Timeout.InfiniteTimeSpan, cancellationToken));

    /// <summary>Blocks until the flag is raised or <paramref name="timeout"/> passes (Python's <c>wait(timeout)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> only looks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the flag was raised; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitCoreAsync(sync: true, timeout, cancellationToken));
    }

    /// <summary>Waits asynchronously until the flag is raised.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the flag is raised.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public async Task WaitAsync(CancellationToken cancellationToken = default) =>
        await WaitCoreAsync(sync: false, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);

    /// <summary>Waits asynchronously until the flag is raised or <paramref name="timeout"/> passes.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the flag was raised; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the event.</exception>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitCoreAsync(sync: false, timeout, cancellationToken).AsTask();
    }

    /// <summary>Closes this process's view of the event: blocked calls of this process end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        _memory.Dispose();
    }

    /// <summary>Describes the event.</summary>
    /// <returns><c>ProcessEvent (set)</c> or <c>ProcessEvent (clear)</c>.</returns>
    public override string ToString()
    {
        try
        {
            return IsSet ? "ProcessEvent (set)" : "ProcessEvent (clear)";
        }
        catch (ObjectDisposedException)
        {
            return "ProcessEvent (disposed in this process)";
        }
    }

    /// <summary>Gets the event's shared memory.</summary>
    System.Runtime.InteropServices.SafeHandle IPassedByHandle<ProcessEvent>.TransferHandle
    {
        get
        {
            _memory.ThrowIfDisposed();
            return _memory.Memory;
        }
    }

    /// <summary>Gets no state: the memory says all.</summary>
    byte[] IPassedByHandle<ProcessEvent>.TransferState => [];

    /// <summary>Maps the received shared memory as an event.</summary>
    static ProcessEvent IPassedByHandle<ProcessEvent>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SyncMemory.Attach(handle, SyncKinds.Event, nameof(ProcessEvent)));

    private async ValueTask<bool> WaitCoreAsync(bool sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var deadline = Deadline.Start(timeout);
        _memory.BeginUse();
        try
        {
            int first = Volatile.Read(ref _memory.Value);
            while (true)
            {
                int seen = _memory.Changes.Read();
                int state = Volatile.Read(ref _memory.Value);
                if ((state & 1) != 0 || (state >> 1) != (first >> 1))
                {
                    return true;
                }
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return false;
                }
                await _memory.WaitForChangeAsync(sync, seen, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _memory.EndUse();
        }
    }
}
