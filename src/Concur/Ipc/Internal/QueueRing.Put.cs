using Concur.Threading.Internal;

namespace Concur.Ipc.Internal;

/// <summary>The producer side of <see cref="QueueRing"/>.</summary>
internal sealed partial class QueueRing
{
    /// <summary>
    /// Puts one message, waiting up to <paramref name="timeout"/> for room (the bound, or the ring) and for the
    /// producer lock. Returns when the whole message is published, so a process that exits right after loses nothing.
    /// </summary>
    /// <returns><see langword="false"/> when the time ran out; the message is then not in the queue (parts already written are dropped by consumers).</returns>
    /// <exception cref="OperationCanceledException">Cancelled; the message is not in the queue.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask<bool> PutAsync(bool sync, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (body.Length > MaxMessageSize)
        {
            throw new ArgumentException(
                $"The item is {body.Length:N0} bytes once serialized, more than a process queue carries ({MaxMessageSize:N0} bytes). Send it in parts, or through shared memory.",
                nameof(body));
        }
        var deadline = Deadline.Start(timeout);
        var lockDeadline = LockDeadline(timeout);
        using var use = Use();
        if (!await EnterAsync(sync, _putGate, lockDeadline, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        bool locked = false;
        try
        {
            int written = 0;
            bool started = false;
            bool stale = false;
            while (true)
            {
                ThrowIfDisposed();
                int room = _room.Read();
                int turn = _producerTurn.Read();
                if (!started && IsAtBound())
                {
                    if (locked)
                    {
                        Unlock(producer: true);
                        locked = false;
                    }
                    if (deadline.Remaining == TimeSpan.Zero)
                    {
                        return false;
                    }
                    await WaitForChangeAsync(sync, _room, room, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (!locked)
                {
                    if (!TryLock(producer: true, stale))
                    {
                        if (lockDeadline.Remaining == TimeSpan.Zero)
                        {
                            return false;
                        }
                        stale = !await WaitForLockAsync(sync, producer: true, turn, lockDeadline, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    locked = true;
                    stale = false;
                    KillPoint?.Invoke(this, QueueStep.PutLocked);
                    if (IsAtBound())
                    {
                        continue;
                    }
                }
                while (true)
                {
                    int length = Math.Min(body.Length - written, MaxRecordPayload);
                    bool last = written + length == body.Length;
                    if (!TryAppend(body.Span.Slice(written, length), !started, last, body.Length))
                    {
                        break;
                    }
                    started = true;
                    written += length;
                    _data.Publish();
                    if (last)
                    {
                        return true;
                    }
                    KillPoint?.Invoke(this, QueueStep.PutBetweenRecords);
                }
                // The ring is full: 1 GiB unread. Before the first record the time limit applies; after it, too, and a
                // message cut short is dropped by the consumers.
                if (deadline.Remaining == TimeSpan.Zero)
                {
                    return false;
                }
                await WaitForChangeAsync(sync, _room, room, IdleSlice, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (locked)
            {
                Unlock(producer: true);
            }
            _putGate.Release();
        }
    }

    private bool IsAtBound()
    {
        int maxSize = MaxSize;
        return maxSize > 0 && Waiting(Volatile.Read(ref TailWord), Volatile.Read(ref HeadWord)) >= maxSize;
    }

    /// <summary>Appends one record if the ring has room for it, and publishes it. Under the producer lock.</summary>
    private unsafe bool TryAppend(ReadOnlySpan<byte> payload, bool first, bool last, int total)
    {
        ulong tailWord = Volatile.Read(ref TailWord);
        uint tail = (uint)tailWord;
        uint head = (uint)Volatile.Read(ref HeadWord);
        uint size = (uint)sizeof(RecordHeader) + Padded(payload.Length);
        if (RingSize - (tail - head) < size)
        {
            return false;
        }
        var header = new RecordHeader
        {
            Length = payload.Length,
            Flags = (int)((first ? RecordFlags.First : RecordFlags.None) | (last ? RecordFlags.Last : RecordFlags.None)),
            Producer = _pid,
            Total = total,
        };
        *(RecordHeader*)(_ring + (tail & (RingSize - 1))) = header;
        CopyIn(tail + (uint)sizeof(RecordHeader), payload);
        KillPoint?.Invoke(this, QueueStep.PutRecordWritten);
        ulong puts = (tailWord >> 32) + (last ? 1u : 0u);
        Volatile.Write(ref TailWord, ((puts & uint.MaxValue) << 32) | (tail + size));
        return true;
    }

    private static async ValueTask<bool> EnterAsync(bool sync, SemaphoreSlim gate, Deadline deadline, CancellationToken cancellationToken)
    {
        if (sync)
        {
            return gate.Wait(deadline.RemainingMilliseconds, cancellationToken);
        }
        return await gate.WaitAsync(deadline.RemainingMilliseconds, cancellationToken).ConfigureAwait(false);
    }
}
